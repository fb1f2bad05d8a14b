using System.CommandLine;
using Spectre.Console;

namespace Tcd.Cli.Tests;

/// <summary>Runs <c>tcd</c> in-process through its entry point, or parses a command line into a command's settings.</summary>
internal static class Cli
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>Runs <c>tcd</c> until it ends or <paramref name="cancellationToken"/> stops it, as Ctrl+C would.</summary>
    public static (int ExitCode, string Output, string Error) Run(CancellationToken cancellationToken, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = TcdCommandLine.Run(args, output, error, cancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs <c>tcd</c> as on an interactive terminal: progress is drawn live on <paramref name="terminal"/>, the other
    /// lines go to the returned output and error.
    /// </summary>
    public static (int ExitCode, string Output, string Error) RunOnTerminal(IAnsiConsole terminal, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(terminal, output, error);
        var exitCode = new TcdCommandLine(() => console).Root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>tcd</c> and stops it, as Ctrl+C would, as soon as it prints a line containing <paramref name="stopAt"/>.</summary>
    public static (int ExitCode, string Output, string Error) RunUntil(string stopAt, params string[] args)
    {
        using var stop = new CancellationTokenSource();
        using var output = new StoppingWriter(stopAt, stop);
        using var error = new StringWriter();
        var exitCode = TcdCommandLine.Run(args, output, error, stop.Token);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The settings <paramref name="read"/> gets from <paramref name="args"/> (command name first).</summary>
    public static TSettings Parse<TSettings>(Func<TcdCommandLine, TcdCommand<TSettings>> read, params string[] args)
    {
        var commandLine = new TcdCommandLine(() => throw new InvalidOperationException("Parse tests never run a command."));
        ParseResult parse = commandLine.Root.Parse(args);
        parse.Errors.Should().BeEmpty();
        return read(commandLine).Read(parse);
    }

    private sealed class StoppingWriter(string stopAt, CancellationTokenSource stop) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(stopAt, StringComparison.Ordinal) == true)
            {
                stop.Cancel();
            }
        }
    }
}
