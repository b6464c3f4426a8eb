process.stderr.write('aphoria-hosted: not built yet\n');
process.exitCode = 1;
