using Tcd.Cli;

var signals = TerminationSignals.ListenUntilExit();
var exitCode = TcdCommandLine.Run(args, cancellationToken: signals.Token);
signals.CommandFinished();
return exitCode;
