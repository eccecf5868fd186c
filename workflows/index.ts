export { triggerCheck } from './trigger-check.js';
