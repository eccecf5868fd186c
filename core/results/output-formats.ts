import { INPUT_FORMATS } from './importers/types.js';

// Apart from the config schema so that the runner, which checks a job spec's formats, does not
// load (and build) every schema of benchbot.yaml at start-up.

/** An output "format" with no file: the runner times each run of the command itself. */
export const WALL_CLOCK_FORMAT = 'wall-clock';
export const OUTPUT_FORMATS = [...INPUT_FORMATS, WALL_CLOCK_FORMAT] as const;
