import 'reflect-metadata';
import { bootstrap } from './core/bootstrap';

void bootstrap('worker');
