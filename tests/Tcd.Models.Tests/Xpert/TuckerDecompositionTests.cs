using Tcd.Models.Xpert;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Xpert;

public sealed class TuckerDecompositionTests
{
    private static readonly long[] Shape = [6, 10, 8];

    [Fact]
    public void ExactlyLowRankTensor_IsRecoveredWithItsRanks()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.LowRank3Way(Shape, [2, 3, 2], seed: 10);

        using var result = TuckerDecomposition.Decompose(x, [2, 3, 2]);

        result.Core.shape.Should().Equal(2, 3, 2);
        result.Factors.Select(f => f.shape).Should().BeEquivalentTo(new[] { new long[] { 6, 2 }, [10, 3], [8, 2] });
        result.RelativeError.Should().BeLessThan(1e-5);
        TuckerTestData.RelativeDistance(x, result.Reconstruct()).Should().BeLessThan(1e-5);
        result.Converged.Should().BeTrue();
    }

    [Fact]
    public void Factors_HaveOrthonormalColumns()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian(Shape, seed: 11);

        using var result = TuckerDecomposition.Decompose(x, [3, 4, 3]);

        result.Factors.Should().AllSatisfy(f => TuckerTestData.OrthonormalityDefect(f).Should().BeLessThan(1e-6));
    }

    [Fact]
    public void ErrorHistory_NeverIncreases_AndHooiImprovesOnHosvd()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian(Shape, seed: 12);
        var ranks = new long[] { 3, 4, 3 };

        using var hosvd = TuckerDecomposition.Decompose(x, ranks, new TuckerOptions { MaxIterations = 0 });
        using var hooi = TuckerDecomposition.Decompose(x, ranks, new TuckerOptions { MaxIterations = 25, Tolerance = 0 });

        hooi.ErrorHistory.Should().HaveCount(25);
        hooi.Converged.Should().BeFalse();
        hooi.ErrorHistory.Zip(hooi.ErrorHistory.Skip(1))
            .Should().AllSatisfy(pair => pair.Second.Should().BeLessThanOrEqualTo(pair.First + 1e-10));
        hosvd.ErrorHistory.Should().BeEmpty();
        hooi.ErrorHistory[0].Should().BeLessThanOrEqualTo(hosvd.RelativeError + 1e-10);
        hooi.RelativeError.Should().BeLessThan(hosvd.RelativeError);
        hooi.RelativeError.Should().BeApproximately(TuckerTestData.RelativeDistance(x, hooi.Reconstruct()), 1e-10);
    }

    [Fact]
    public void DefaultTolerance_StopsAtTheFirstSweepThatChangesTheErrorByLessThanTensorlysTol()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian(Shape, seed: 13);
        using var hosvd = TuckerDecomposition.Decompose(x, [3, 4, 3], new TuckerOptions { MaxIterations = 0 });

        using var result = TuckerDecomposition.Decompose(x, [3, 4, 3]);

        result.Converged.Should().BeTrue();
        var changes = result.ErrorHistory.Prepend(hosvd.RelativeError).Zip(result.ErrorHistory, (before, after) => Math.Abs(before - after)).ToList();
        changes[^1].Should().BeLessThan(1e-4);
        changes.SkipLast(1).Should().OnlyContain(change => change >= 1e-4, "HOOI stops at the first sweep below the tolerance, not later");
        new TuckerOptions().Tolerance.Should().Be(1e-4, "tensorly's tucker stops at tol=10e-5");
    }

    [Fact]
    public void FullRanks_ReproduceTheInput()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian(Shape, seed: 14);

        using var result = TuckerDecomposition.Decompose(x, Shape);

        result.RelativeError.Should().BeLessThan(1e-6);
        TuckerTestData.RelativeDistance(x, result.Reconstruct()).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void FullRanks_RunNoSweep_AndReturnTheExactHosvdUnchanged()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian(Shape, seed: 19);
        var reports = new List<TuckerProgress>();

        using var swept = TuckerDecomposition.Decompose(x, Shape, new TuckerOptions { MaxIterations = 5, Tolerance = 0 }, new SynchronousProgress(reports.Add));
        using var hosvd = TuckerDecomposition.Decompose(x, Shape, new TuckerOptions { MaxIterations = 0 });

        reports.Should().BeEmpty();
        (swept.Iterations, swept.Converged).Should().Be((0, true));
        swept.RelativeError.Should().Be(hosvd.RelativeError).And.BeLessThan(1e-12);
        swept.Core.allclose(hosvd.Core, rtol: 0, atol: 0).Should().BeTrue();
        swept.Factors.Zip(hosvd.Factors).Should().AllSatisfy(pair => pair.First.allclose(pair.Second, rtol: 0, atol: 0).Should().BeTrue());
        TuckerTestData.RelativeDistance(x, swept.Reconstruct()).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void Progress_ReadsAsOneLine()
    {
        new TuckerProgress(3, 100, 0.1234567, 1.234e-5).ToString().Should().Be("HOOI sweep 3/100: relative error 0.123457, change 1.2E-05");
        new XpertDecompositionProgress(0, 12, Sweep: null).ToString().Should().Be("Tucker layer 0 (1/12): HOSVD");
        var sweep = new XpertDecompositionProgress(1, 4, new TuckerProgress(5, 10, 0.5, 0.01));
        sweep.ToString().Should().Be("Tucker layer 1 (2/4): HOOI sweep 5/10: relative error 0.5, change 0.01");
        sweep.Fraction.Should().Be(0.375);
    }

    [Fact]
    public void Progress_ComparesByValue_LikeTheOtherProgressRecords()
    {
        var report = new TuckerProgress(iteration: 3, maxIterations: 100, relativeError: 0.25, change: 1e-3);

        (report == new TuckerProgress(3, 100, 0.25, 1e-3)).Should().BeTrue();
        (report != (report with { Change = 2e-3 })).Should().BeTrue();
        new XpertDecompositionProgress(1, 4, report).Should().Be(new XpertDecompositionProgress(1, 4, new TuckerProgress(3, 100, 0.25, 1e-3)));
    }

    [Fact]
    public void GramAndSvdPaths_GiveTheSameDecomposition()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian(Shape, seed: 15);
        var ranks = new long[] { 3, 4, 3 };

        using var svd = TuckerDecomposition.Decompose(x, ranks, new TuckerOptions { GramSwitchRatio = double.PositiveInfinity });
        using var gram = TuckerDecomposition.Decompose(x, ranks, new TuckerOptions { GramSwitchRatio = 0 });

        gram.RelativeError.Should().BeApproximately(svd.RelativeError, 1e-9);
        TuckerTestData.RelativeDistance(svd.Reconstruct(), gram.Reconstruct()).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Decomposition_IsDeterministic_WithLargestEntryOfEachColumnPositive()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian(Shape, seed: 16);

        using var first = TuckerDecomposition.Decompose(x, [3, 4, 3]);
        using var second = TuckerDecomposition.Decompose(x, [3, 4, 3]);

        first.Factors.Zip(second.Factors).Should().AllSatisfy(pair => pair.First.allclose(pair.Second, rtol: 0, atol: 0).Should().BeTrue());
        first.Core.allclose(second.Core, rtol: 0, atol: 0).Should().BeTrue();
        foreach (var factor in first.Factors)
        {
            var largest = factor.abs().argmax(dim: 0, keepdim: true);
            factor.gather(dim: 0, index: largest).min().item<double>().Should().BePositive();
        }
    }

    [Fact]
    public void Float32Input_ReturnsFloat32FactorsAndCore()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.LowRank3Way(Shape, [2, 3, 2], seed: 17).to(ScalarType.Float32);

        using var result = TuckerDecomposition.Decompose(x, [2, 3, 2]);

        result.Core.dtype.Should().Be(ScalarType.Float32);
        result.Factors.Should().AllSatisfy(f => f.dtype.Should().Be(ScalarType.Float32));
        TuckerTestData.RelativeDistance(x, result.Reconstruct()).Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Progress_IsReportedForEverySweep()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian(Shape, seed: 18);
        var reports = new List<TuckerProgress>();

        using var result = TuckerDecomposition.Decompose(
            x, [3, 4, 3], new TuckerOptions { MaxIterations = 5, Tolerance = 0 }, new SynchronousProgress(reports.Add));

        reports.Select(r => r.Iteration).Should().Equal(1, 2, 3, 4, 5);
        reports.Select(r => r.RelativeError).Should().Equal(result.ErrorHistory);
    }

    [Fact]
    public void CancelledToken_Throws()
    {
        using var scope = NewDisposeScope();
        var x = TuckerTestData.Gaussian(Shape, seed: 19);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => TuckerDecomposition.Decompose(x, [3, 4, 3], cancellationToken: cancellation.Token);

        act.Should().Throw<OperationCanceledException>();
    }

    [Theory]
    [InlineData(0L, 11L, "Rank 11 for mode 1 is invalid: mode 1 has size 10, so its rank must be in 1..10.")]
    [InlineData(0L, 0L, "Rank 0 for mode 1 is invalid: mode 1 has size 10, so its rank must be in 1..10.")]
    [InlineData(7L, 3L, "Rank 7 for mode 0 is invalid: mode 0 has size 6, so its rank must be in 1..6.")]
    public void InvalidRank_NamesTheModeAndItsSize(long rank0, long rank1, string expected)
    {
        using var scope = NewDisposeScope();
        var x = zeros(Shape, dtype: ScalarType.Float64);
        var ranks = new[] { rank0 == 0 ? 2 : rank0, rank1, 2L };

        var act = () => TuckerDecomposition.Decompose(x, ranks);

        act.Should().Throw<ArgumentException>().WithMessage(expected + "*").Which.ParamName.Should().Be("ranks");
    }

    [Fact]
    public void WrongNumberOfRanks_AndNonFloatingTensors_AreRejected()
    {
        using var scope = NewDisposeScope();

        var tooFew = () => TuckerDecomposition.Decompose(zeros(Shape), [2, 2]);
        var integer = () => TuckerDecomposition.Decompose(zeros(Shape, dtype: ScalarType.Int64), [2, 2, 2]);
        var vector = () => TuckerDecomposition.Decompose(zeros(6), [2]);
        var badOptions = () => TuckerDecomposition.Decompose(zeros(Shape), [2, 2, 2], new TuckerOptions { MaxIterations = -1 });

        tooFew.Should().Throw<ArgumentException>().WithMessage("Got 2 ranks for a 3-way tensor*");
        integer.Should().Throw<ArgumentException>().WithMessage("*floating-point*Int64*");
        vector.Should().Throw<ArgumentException>().WithMessage("*at least 2 modes*");
        badOptions.Should().Throw<ArgumentException>().WithMessage("TuckerOptions.MaxIterations is -1*");
    }

    [Fact]
    public void AllZeroTensor_HasZeroError()
    {
        using var scope = NewDisposeScope();

        using var result = TuckerDecomposition.Decompose(zeros(Shape, dtype: ScalarType.Float64), [2, 2, 2]);

        result.RelativeError.Should().Be(0);
        result.Reconstruct().abs().max().item<double>().Should().Be(0);
    }

    private sealed class SynchronousProgress(Action<TuckerProgress> report) : IProgress<TuckerProgress>
    {
        public void Report(TuckerProgress value) => report(value);
    }
}
