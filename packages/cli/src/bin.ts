#!/usr/bin/env node
import { guardUnexpectedErrors, main } from './main.js';

guardUnexpectedErrors();
process.exitCode = await main(process.argv.slice(2));
