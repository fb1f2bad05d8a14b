using Tcd.Models.Runtime;

namespace Tcd.Models.Tests.Runtime;

public sealed class TenthsProgressTests
{
    [Fact]
    public void Passes_on_the_counts_that_complete_another_tenth()
    {
        var passed = new List<int>();
        var progress = new TenthsProgress<int>(new SynchronousProgress<int>(passed.Add), done => done / 100.0);

        foreach (var done in Enumerable.Range(1, 40).Select(batch => Math.Min(100, batch * 3)))
        {
            progress.Report(done);
        }

        passed.Should().Equal(12, 21, 30, 42, 51, 60, 72, 81, 90, 100);
    }

    [Fact]
    public void Passes_on_every_count_once_the_quietest_interval_has_passed()
    {
        var passed = new List<int>();
        var progress = new TenthsProgress<int>(new SynchronousProgress<int>(passed.Add), done => done / 1000.0, quietest: TimeSpan.Zero);

        progress.Report(1);
        progress.Report(2);

        passed.Should().Equal([1, 2], "a big pass whose tenths are far apart still shows a line every interval");
    }
}
