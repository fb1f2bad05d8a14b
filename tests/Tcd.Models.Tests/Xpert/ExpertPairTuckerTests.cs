using Tcd.Models.Xpert;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Xpert;

public sealed class ExpertPairTuckerTests
{
    private const long Experts = 4;
    private const long Hidden = 10;
    private const long Model = 6;

    [Fact]
    public void SharedBasis_HasOneHiddenFactor_AndReconstructsBothProjections()
    {
        using var scope = NewDisposeScope();
        // Both projections are built on one d_ff basis and one d_model basis, so the joint rank is exact.
        var joint = TuckerTestData.LowRank3Way([2 * Experts, Hidden, Model], [3, 3, 2], seed: 30);
        var up = joint.narrow(dim: 0, start: 0, length: Experts);
        var down = joint.narrow(dim: 0, start: Experts, length: Experts).transpose(1, 2).contiguous();

        using var result = TuckerDecomposition.DecomposeExpertPair(up, down, [3, 3, 2]);

        result.HiddenFactor.shape.Should().Equal(Hidden, 3);
        result.ModelFactor.shape.Should().Equal(Model, 2);
        result.UpExpertFactor.shape.Should().Equal(Experts, 3);
        result.DownExpertFactor.shape.Should().Equal(Experts, 3);
        result.Joint.Factors[1].Should().BeSameAs(result.HiddenFactor);
        TuckerTestData.OrthonormalityDefect(result.HiddenFactor).Should().BeLessThan(1e-6);

        var upBack = result.ReconstructUp();
        var downBack = result.ReconstructDown();
        upBack.shape.Should().Equal(Experts, Hidden, Model);
        downBack.shape.Should().Equal(Experts, Model, Hidden);
        TuckerTestData.RelativeDistance(up, upBack).Should().BeLessThan(1e-6);
        TuckerTestData.RelativeDistance(down, downBack).Should().BeLessThan(1e-6);
        result.UpRelativeError.Should().BeLessThan(1e-6);
        result.DownRelativeError.Should().BeLessThan(1e-6);
    }

    [Fact]
    public void SharedBases_AreCompleteAtFullRanks_AndServeBothProjectionsWhenTruncated()
    {
        using var scope = NewDisposeScope();
        var up = TuckerTestData.Gaussian([Experts, Hidden, Model], seed: 31);
        var down = TuckerTestData.Gaussian([Experts, Model, Hidden], seed: 32);

        using var result = TuckerDecomposition.DecomposeExpertPair(up, down, [2 * Experts, Hidden, Model]);

        // Full ranks: the shared bases are complete, so both projections come back exactly.
        result.UpRelativeError.Should().BeLessThan(1e-6);
        result.DownRelativeError.Should().BeLessThan(1e-6);
        // Truncated d_ff rank: both projections lose detail, but the shared basis still serves both.
        using var truncated = TuckerDecomposition.DecomposeExpertPair(up, down, [2 * Experts, 5, Model]);
        truncated.UpRelativeError.Should().BeInRange(0.01, 0.99);
        truncated.DownRelativeError.Should().BeInRange(0.01, 0.99);
    }

    [Fact]
    public void MismatchedShapes_AreRejectedWithBothShapes()
    {
        using var scope = NewDisposeScope();
        var up = zeros(Experts, Hidden, Model);
        var down = zeros(Experts, Hidden, Model);

        var act = () => TuckerDecomposition.DecomposeExpertPair(up, down, [2, 2, 2]);

        act.Should().Throw<ArgumentException>().WithMessage("*[E, d_ff, d_model]*[E, d_model, d_ff]*[4, 10, 6] and [4, 10, 6]*");
    }

    [Fact]
    public void ExpertRankAboveTwiceTheExperts_IsRejected()
    {
        using var scope = NewDisposeScope();
        var up = zeros(Experts, Hidden, Model);
        var down = zeros(Experts, Model, Hidden);

        var act = () => TuckerDecomposition.DecomposeExpertPair(up, down, [2 * Experts + 1, 2, 2]);

        act.Should().Throw<ArgumentException>().WithMessage("Rank 9 for mode 0 is invalid: mode 0 has size 8*");
    }
}
