using Tcd.Models.Modeling;
using Tcd.Models.Training;

namespace Tcd.Models.Tests.Training;

public class PretrainingProgressTests
{
    [Fact]
    public void The_progress_line_names_every_term_and_writes_small_numbers_as_Python_would()
    {
        var losses = new Dictionary<string, double> { ["loss"] = 7.0854, ["mlm"] = 6.929, ["load_balance"] = 3.2351e-5 };
        MoeLayerStatistics[] load = [new([0.5, 0.5], 1.25, 0, 0.69), new([0.6, 0.4], 1.33, 0, 0.67)];

        var line = new PretrainingProgress(
            120, 300, 2, losses, 6.667e-5, 9797.4, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(36), load, ValidationLogLikelihood: -7.51234, GradientNorm: 16.71).ToString();

        line.Should().Be(
            "step 120/300 epoch 2 loss=7.085 mlm=6.929 load_balance=3.235e-05 grad-norm=16.7 lr=6.67e-05 9797 tok/s moe-max/mean=1.29 val-ll=-7.5123 ETA 00:00:36");
    }
}
