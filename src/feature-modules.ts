import type { Type } from '@nestjs/common';

/** Feature modules shared by the API gateway and the worker (each brings its consumers). */
export const FEATURE_MODULES: Type[] = [
];
