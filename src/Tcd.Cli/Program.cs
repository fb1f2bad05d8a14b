using Tcd.Cli;

return await TcdCommandLine.RunAsync(args);
