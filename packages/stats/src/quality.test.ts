import { describe, expect, it } from 'vitest';
import { blandAltman, relativeDeviation } from './calibration.js';
import { cohensD, standardizedMeanShift } from './effect-size.js';
import { c4, individualsChart, westernElectric, xBarChart } from './spc.js';
import { studentTQuantile } from './special/student-t.js';
import { mean, standardDeviation } from './summary.js';
import { expectClose, reference } from './testing/scipy-reference.js';

describe('moments and effect sizes match numpy', () => {
  for (const c of reference.moments) {
    it(c.name, () => {
      expectClose(mean(c.a), c.meanA, 'mean a');
      expectClose(mean(Float64Array.from(c.b)), c.meanB, 'mean b');
      expectClose(standardDeviation(c.a), c.sdA, 'sd a');
      expectClose(standardDeviation(c.b), c.sdB, 'sd b');
      expectClose(cohensD(c.a, c.b), c.cohensD, "Cohen's d");
      expectClose(standardizedMeanShift(c.a, c.b), (c.meanB - c.meanA) / c.sdA, "Glass's delta");
    });
  }
  it('constant samples have no effect size', () => {
    expect(() => cohensD([1, 1], [1, 1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => standardizedMeanShift([2, 2, 2], [1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('calibration', () => {
  for (const c of reference.blandAltman) {
    it(`Bland–Altman: ${c.name}`, () => {
      const got = blandAltman(c.measured, c.reference);
      expectClose(got.bias, c.bias, 'bias');
      expectClose(got.sdDifferences, c.sd, 'sd');
      expectClose(got.lowerLimit, c.lowerLimit, 'lower LoA');
      expectClose(got.upperLimit, c.upperLimit, 'upper LoA');
      expectClose(studentTQuantile(0.975, c.measured.length - 1), c.t975, 't.ppf(0.975)');
      expectClose(got.biasCi.upper - got.bias, c.biasCiHalfWidth, 'bias CI');
      expectClose(got.upperLimitCi.upper - got.upperLimit, c.limitCiHalfWidth, 'LoA CI');
      expectClose(got.lowerLimit - got.lowerLimitCi.lower, c.limitCiHalfWidth, 'LoA CI');
    });
  }

  it('relativeDeviation for scalars and arrays, guarding a zero reference', () => {
    expect(relativeDeviation(10.5, 10)).toBeCloseTo(0.05, 15);
    expect(relativeDeviation(-9, -10)).toBeCloseTo(0.1, 15);
    expect([...relativeDeviation([1, 3], Float64Array.from([2, 4]))]).toEqual([0.5, 0.25]);
    expect(() => relativeDeviation(1, 0)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => relativeDeviation(1, 1e-6, { minAbsReference: 1e-3 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => relativeDeviation([1, 2], [1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('statistical process control', () => {
  it('I-MR chart: sigma = mean moving range / 1.128, limits at ±3 sigma', () => {
    const chart = individualsChart([10, 12, 11, 13, 12]);
    expect([...chart.movingRanges]).toEqual([2, 1, 2, 1]);
    expect(chart.center).toBeCloseTo(11.6, 14);
    expect(chart.sigma).toBeCloseTo(1.5 / 1.128, 14);
    expect(chart.ucl).toBeCloseTo(11.6 + (3 * 1.5) / 1.128, 13);
    expect(chart.lcl).toBeCloseTo(11.6 - (3 * 1.5) / 1.128, 13);
    expect(chart.movingRangeUcl).toBeCloseTo(3.267 * 1.5, 14);
  });

  it('X-bar chart from ranges and from standard deviations', () => {
    const groups = [[1, 2, 3], [2, 4, 6], [3, 3, 3]];
    const byRange = xBarChart(groups);
    expect(byRange.center).toBeCloseTo(3, 14);
    expect(byRange.sigma).toBeCloseTo(2 / 1.693, 14);
    expect(byRange.ucl).toBeCloseTo(3 + (3 * (2 / 1.693)) / Math.sqrt(3), 13);
    const bySd = xBarChart(groups, { sigmaFrom: 'stddev' });
    expect(bySd.sigma).toBeCloseTo(1 / c4(3), 14);
    expect(c4(3)).toBeCloseTo(0.886226925452758, 14);
    expect(c4(25)).toBeCloseTo(0.989640, 6);
    expect(() => xBarChart([[1, 2], [1]])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => xBarChart([Array.from({ length: 30 }, (_, i) => i)])).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('Western Electric rules 1-4 flag the completing index of each pattern', () => {
    // center 0, sigma 1
    const series = [
      0.1, 3.5, // rule 1 at 1
      0.2, 2.5, -0.3, 2.2, // rule 2 window [3..5] -> 5
      -0.5, -1.5, -1.2, 0.1, -1.7, -1.1, // rule 3 windows ending at 11
      0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.3, 0.2, // 8 above center ending at 19
    ];
    const v = westernElectric(series, 0, 1);
    expect(v.rule1).toEqual([1]);
    expect(v.rule2).toEqual([3, 5]);
    expect(v.rule3).toEqual([11]);
    expect(v.rule4).toEqual([19]);
    expect(() => westernElectric([1], 0, 0)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
