import 'reflect-metadata';
import { bootstrap } from './bootstrap';

void bootstrap('all-in-one');
