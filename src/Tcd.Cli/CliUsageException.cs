namespace Tcd.Cli;

/// <summary>A mistake in the command line or the config file; the message says which option and how to fix it.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
