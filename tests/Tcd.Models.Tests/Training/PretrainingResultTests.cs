using Tcd.Models.Training;

namespace Tcd.Models.Tests.Training;

public class PretrainingResultTests
{
    private static readonly Dictionary<string, double> Losses = new() { ["loss"] = 7.125, ["mlm"] = 7 };

    [Fact]
    public void The_summary_says_how_the_run_started_and_ended()
    {
        new PretrainingResult(30, false, Losses, -2.5, "/runs/a/step-00000030").ToString()
            .Should().Be("finished at step 30: loss=7.125 mlm=7 val-ll=-2.5000, checkpoint /runs/a/step-00000030");
        new PretrainingResult(30, false, Losses, null, null) { ResumedFromStep = 16 }.ToString()
            .Should().Be("finished at step 30 (resumed at step 16): loss=7.125 mlm=7");
        new PretrainingResult(30, false, Losses, null, null) { ResumedFromStep = 30 }.ToString()
            .Should().Be("finished at step 30 (its checkpoint had already reached the last step): loss=7.125 mlm=7");
        new PretrainingResult(0, true, new Dictionary<string, double>(), null, null).ToString()
            .Should().Be("cancelled before its first step");
    }
}
