process.stderr.write('stemedb-admin: not built yet\n');
process.exitCode = 1;
