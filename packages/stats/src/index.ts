export { StatsError } from './errors.js';
export type { StatsErrorCode } from './errors.js';
export type { NumericArray } from './validate.js';

export { ks2samp, KS_MAX_EXACT_N } from './ks/ks2samp.js';
export type { Alternative, Ks2SampOptions, Ks2SampResult } from './ks/ks2samp.js';
export { psi } from './psi.js';
export type { PsiBin, PsiOptions, PsiResult } from './psi.js';
export { wasserstein1 } from './wasserstein.js';
export { jensenShannon } from './jensen-shannon.js';
export type { JensenShannonOptions } from './jensen-shannon.js';
export { chiSquare } from './chi-square.js';
export type { ChiSquareResult } from './chi-square.js';
export { cohensD, standardizedMeanShift } from './effect-size.js';

export { individualsChart, xBarChart, westernElectric, c4, d2 } from './spc.js';
export type { ControlLimits, IndividualsChart, XBarChart, XBarChartOptions, WesternElectricViolations } from './spc.js';
export { relativeDeviation, blandAltman } from './calibration.js';
export type { BlandAltmanResult, Interval, RelativeDeviationOptions } from './calibration.js';

export { mean, variance, standardDeviation } from './summary.js';
export { quantileSorted } from './quantile.js';
export { kolmogorovSurvival } from './special/kolmogorov.js';
export { smirnovSurvival } from './special/smirnov.js';
export { chiSquareSurvival, regularizedGammaP, regularizedGammaQ, logGamma } from './special/gamma.js';
export { studentTCdf, studentTQuantile } from './special/student-t.js';

export { runInWorker } from './worker.js';
export type { RunInWorkerOptions, WorkerTasks } from './worker.js';
