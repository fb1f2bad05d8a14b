using Tcd.Models.Xpert;

namespace Tcd.Models.Tests.Xpert;

public sealed class CommonExpertSelectorTests
{
    // One layer, three domains, five experts. Expert 0 dominates domain 0 but is absent from domain 2;
    // experts 1 and 3 are used everywhere; expert 2 is rare everywhere; expert 4 only in domain 2.
    private static readonly ExpertActivationTable Table = new(["a", "b", "c"], new long[,,]
    {
        {
            { 60, 20, 5, 15, 0 },
            { 10, 40, 10, 40, 0 },
            { 0, 30, 10, 20, 40 },
        },
    });

    [Fact]
    public void TopK_ByMinimum_KeepsExpertsActiveInEveryDomain_BestFirst()
    {
        var selection = new CommonExpertSelector(new CommonExpertSelectionOptions { TopK = 2 }).Select(Table).Single();

        selection.Layer.Should().Be(0);
        // Minimum frequencies: e1 = 0.2, e3 = 0.15, e2 = 0.05; e0 and e4 are absent from a domain.
        selection.Indices.Should().Equal(1, 3);
        selection.Experts[0].Score.Should().BeApproximately(0.2, 1e-12);
        selection.Experts[0].MeanFrequency.Should().BeApproximately((0.2 + 0.4 + 0.3) / 3, 1e-12);
        selection.Weights.Sum().Should().BeApproximately(1, 1e-12);
        selection.Warning.Should().BeNull();
    }

    [Fact]
    public void TopK_NeverPadsWithAbsentExperts()
    {
        var selection = new CommonExpertSelector(new CommonExpertSelectionOptions { TopK = 5 }).Select(Table).Single();

        selection.Indices.Should().Equal(1, 3, 2);
        selection.Indices.Should().NotContain([0, 4]);
        selection.Warning.Should().Be("TopK is 5 but only 3 of the layer's 5 experts are active in every domain");
    }

    [Fact]
    public void TopK_AboveTheExpertCount_KeepsAllAndSaysSo()
    {
        var twoExperts = new ExpertActivationTable(["a"], new long[,,] { { { 3, 1 } } });

        var selection = new CommonExpertSelector(new CommonExpertSelectionOptions { TopK = 10 }).Select(twoExperts).Single();

        selection.Indices.Should().Equal(0, 1);
        selection.ToString().Should().Be(
            "layer 0: E0 (score 0.750, mean freq 0.750), E1 (score 0.250, mean freq 0.250) (warning: TopK is 10 but the layer has only 2 experts; all 2 are kept)");
    }

    [Fact]
    public void GeometricMean_RanksByGeometricMean_AndScoresAbsentExpertsZero()
    {
        var selector = new CommonExpertSelector(new CommonExpertSelectionOptions { Scoring = CommonExpertScoring.GeometricMean, TopK = 3 });

        var selection = selector.Select(Table).Single();

        selection.Indices.Should().Equal(1, 3, 2);
        selection.Experts[0].Score.Should().BeApproximately(Math.Cbrt(0.2 * 0.4 * 0.3), 1e-12);
        selector.Score(Table, 0, 0).Should().Be(0);
    }

    [Fact]
    public void Threshold_KeepsExpertsAboveItInEveryDomain()
    {
        var selector = new CommonExpertSelector(new CommonExpertSelectionOptions { Mode = CommonExpertSelectionMode.Threshold, Threshold = 0.15 });

        selector.Select(Table).Single().Indices.Should().Equal(1, 3);
        new CommonExpertSelector(new CommonExpertSelectionOptions { Mode = CommonExpertSelectionMode.Threshold, Threshold = 0.5 })
            .Select(Table).Single().Experts.Should().BeEmpty();
    }

    [Fact]
    public void InvalidOptions_AreRejected()
    {
        var topK = () => new CommonExpertSelector(new CommonExpertSelectionOptions { TopK = 0 });
        topK.Should().Throw<ArgumentException>().WithMessage("*TopK*");
        var threshold = () => new CommonExpertSelector(new CommonExpertSelectionOptions { Mode = CommonExpertSelectionMode.Threshold, Threshold = 0 });
        threshold.Should().Throw<ArgumentException>().WithMessage("*Threshold*");
    }
}
