using Tcd.Experiments.Xpert;
using Tcd.Models.Xpert;

namespace Tcd.Experiments.Tests.Xpert;

public sealed class ExpertActivationReportTests
{
    [Fact]
    public void EveryLayersHeatmapSharesOneColourScale()
    {
        // Layer 0 spreads its tokens from 10 % to 40 %, layer 1 from 20 % to 30 %: one scale from 10 % to 40 % for both.
        var table = new ExpertActivationTable(["wiki", "code"], new long[,,]
        {
            { { 1, 2, 3, 4 }, { 4, 3, 2, 1 } },
            { { 2, 3, 2, 3 }, { 3, 2, 3, 2 } },
        });

        var range = ExpertActivationReport.SharedColorRange(table);

        range.Should().NotBeNull();
        range!.Value.Minimum.Should().BeApproximately(0.1, 1e-12);
        range.Value.Maximum.Should().BeApproximately(0.4, 1e-12);
    }

    [Fact]
    public void EqualFrequenciesLeaveEachMapItsOwnRange() =>
        ExpertActivationReport.SharedColorRange(new ExpertActivationTable(["wiki"], new long[,,] { { { 5, 5 } } })).Should().BeNull();
}
