using System.Text.RegularExpressions;
using Spectre.Console;

namespace Tcd.Cli.Tests;

public sealed partial class LiveProgressTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Pretrain_on_a_terminal_draws_a_progress_bar_with_the_loss_terms_tokens_per_second_and_eta()
    {
        var corpus = temp.Write("corpus.txt", string.Join("\n\n", Enumerable.Range(0, 30).Select(i => $"The lake number {i} lies below the hills and the forest {i % 4}.")));
        using var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        terminal.Profile.Width = 240;

        var (exitCode, output, error) = Cli.RunOnTerminal(
            terminal, "pretrain", "--corpus", corpus, "--out", temp.File("run"), "--preset", "tiny", "--experts", "2", "--steps", "2", "--batch-size", "4",
            "--seq-length", "32", "--device", "cpu", "--threads", "1");

        error.Should().BeEmpty();
        exitCode.Should().Be(0);
        var drawn = CursorAndStyleCodes().Replace(screen.ToString(), string.Empty);
        drawn.Should().Contain("pretrain").And.Contain("100%", "the bar is drawn full once the last step is done");
        var report = drawn.Split('\n').Last(line => line.Contains("step 2/2", StringComparison.Ordinal));
        report.Should().Contain("mlm=").And.Contain("load_balance=").And.Contain(" tok/s").And.Contain(" ETA ");
        output.Should().NotContain("[pretrain] step", "on a terminal the reports go to the bar, not into lines");
    }

    /// <summary>ANSI control sequences: cursor moves, erasing, showing and hiding the cursor, styles.</summary>
    [GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]")]
    private static partial Regex CursorAndStyleCodes();
}
