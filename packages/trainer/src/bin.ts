#!/usr/bin/env node
import { runTrainerCli } from './cli.js';

process.exitCode = await runTrainerCli(process.argv.slice(2));
