import { describe, expect, it } from 'vitest';
import { expectClose, reference } from '../testing/scipy-reference.js';
import { binomial } from './binomial.js';
import { chiSquareSurvival, logGamma, regularizedGammaP, regularizedGammaQ } from './gamma.js';
import { kolmogorovSurvival } from './kolmogorov.js';
import { smirnovSurvival } from './smirnov.js';

describe('kolmogorovSurvival = scipy.stats.kstwo.sf (every branch of kolmogn)', () => {
  for (const { n, x, sf } of reference.kstwoSf as Array<{ n: number; x: number; sf: number }>) {
    it(`n=${n} x=${x}`, () => expectClose(kolmogorovSurvival(n, x), sf, `kstwo.sf(${x}, ${n})`));
  }
});

describe('smirnovSurvival = scipy.special.smirnov', () => {
  for (const { n, x, sf } of reference.smirnovSf as Array<{ n: number; x: number; sf: number }>) {
    it(`n=${n} x=${x}`, () => expectClose(smirnovSurvival(n, x), sf, `smirnov(${n}, ${x})`));
  }
});

describe('chiSquareSurvival = scipy.stats.chi2.sf', () => {
  for (const { dof, x, sf } of reference.chi2Sf as Array<{ dof: number; x: number; sf: number }>) {
    it(`dof=${dof} x=${x}`, () => expectClose(chiSquareSurvival(x, dof), sf, `chi2.sf(${x}, ${dof})`, 1e-12));
  }
});

describe('gamma helpers', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 170; n++) {
      logFactorial += Math.log(n);
      expect(Math.abs(logGamma(n + 1) - logFactorial)).toBeLessThan(1e-13 * Math.max(1, logFactorial));
    }
    expectClose(logGamma(0.5), 0.5 * Math.log(Math.PI), 'lgamma(0.5)', 1e-14);
  });

  it('P + Q = 1 on both sides of the series/continued-fraction split', () => {
    for (const [a, x] of [[0.5, 0.2], [3, 2], [3, 6], [50, 49], [50, 70]] as const) {
      expect(Math.abs(regularizedGammaP(a, x) + regularizedGammaQ(a, x) - 1)).toBeLessThan(1e-14);
    }
  });

  it('binomial is exact for representable integers and Infinity past overflow', () => {
    expect(binomial(10, 3)).toBe(120);
    expect(binomial(60, 30)).toBe(118264581564861424);
    expect(binomial(52, 5)).toBe(2598960);
    expect(binomial(5, 7)).toBe(0);
    expect(binomial(2000, 1000)).toBe(Number.POSITIVE_INFINITY);
  });
});
