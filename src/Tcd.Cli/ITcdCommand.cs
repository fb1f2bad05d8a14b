using System.CommandLine;

namespace Tcd.Cli;

/// <summary>A sub-command as the command tree sees it, whatever its settings type.</summary>
internal interface ITcdCommand
{
    Command Command { get; }

    /// <summary>
    /// Makes the command run with <paramref name="console"/> when invoked, on the invoking thread, until
    /// <paramref name="cancellationToken"/> asks it to stop.
    /// </summary>
    void Bind(Func<CliConsole> console, CancellationToken cancellationToken);
}
