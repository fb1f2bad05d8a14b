using Tcd.Cli;

return TcdCommandLine.Run(args);
