using Spectre.Console;

namespace Tcd.Cli;

/// <summary>
/// The tool's output: a live Spectre.Console progress bar on an interactive terminal, plain lines when the output is
/// redirected (logs, CI, tests).
/// </summary>
internal sealed class CliConsole(IAnsiConsole console, TextWriter error, bool live)
{
    public TextWriter Error => error;

    /// <summary>True when progress is drawn as a live bar rather than printed line by line.</summary>
    public bool Live => live;

    /// <summary>The console of the current process: live when stdout is an interactive terminal.</summary>
    public static CliConsole ForTerminal() =>
        new(AnsiConsole.Console, Console.Error, !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive);

    /// <summary>Plain, uncoloured output into writers (used when the caller captures the output).</summary>
    public static CliConsole ForWriters(TextWriter output, TextWriter error) =>
        new(AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        }), error, live: false);

    public void Line(string text) => console.WriteLine(text);

    /// <summary>
    /// Runs <paramref name="work"/>, showing each report it sends: as the fill of a progress bar with the report's text
    /// on a line below it when live, else as one line per report.
    /// </summary>
    /// <param name="title">Prefix of every line, e.g. <c>pretrain</c>.</param>
    /// <param name="work">The long operation, given the progress sink.</param>
    /// <param name="fraction">How far a report says the work is, 0..1.</param>
    /// <param name="describe">The text of a report; null uses its <c>ToString()</c>.</param>
    public T Track<TProgress, T>(string title, Func<IProgress<TProgress>, T> work, Func<TProgress, double> fraction, Func<TProgress, string>? describe = null)
        where TProgress : notnull
    {
        describe ??= report => report.ToString() ?? string.Empty;
        if (!live)
        {
            return work(new Reporter<TProgress>(report => Line($"[{title}] {describe(report)}")));
        }

        // The report (loss terms, tokens/s, ETA) is its own wrapping line under the bar: as the bar's description it is
        // wider than most terminals, and Spectre shrank the whole row to "…".
        var latest = string.Empty;
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .UseRenderHook((bar, _) => latest.Length == 0 ? bar : new Rows(bar, new Text(latest)))
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 1.0);
                var result = work(new Reporter<TProgress>(report =>
                {
                    task.Value = Math.Clamp(fraction(report), 0, 1);
                    latest = describe(report);
                }));
                task.StopTask();
                return result;
            });
    }

    /// <summary>Reports on the calling (training) thread, so lines keep their order.</summary>
    private sealed class Reporter<TProgress>(Action<TProgress> report) : IProgress<TProgress>
    {
        public void Report(TProgress value) => report(value);
    }
}
