export * from './api';
export * from './dto';
export * from './errors';
export * from './schemas';
export * from './limits';
