using Tcd.Models.Training;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Training;

public class FusedCpuAdamWTests
{
    private static readonly FusedCpuAdamW.Scalars Step = new(GradientScale: 0.5f, Decay: 0.99f, OneMinusBeta1: 0.1f, Beta2: 0.95f, OneMinusBeta2: 0.05f, Epsilon: 1e-6f, StepSize: 0.01f);

    [Theory]
    [InlineData(1, 1)] // scalar tail only
    [InlineData(37, 1)] // vectors plus a tail
    [InlineData(200_003, 1)] // large, one thread
    [InlineData(200_003, 3)] // large, three chunks with a tail in the last
    public void OnePassUpdateEqualsTheTensorOperations(long count, int threads)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var parameter = randn(count, generator: generator);
        var grad = randn(count, generator: generator);
        var expAvg = randn(count, generator: generator);
        var expAvgSq = rand(count, generator: generator);
        var (expectedParameter, expectedAvg, expectedAvgSq) = Reference(parameter, grad, expAvg, expAvgSq);

        FusedCpuAdamW.TryUpdate(parameter, grad, expAvg, expAvgSq, Step, threads).Should().BeTrue();

        MaxDifference(parameter, expectedParameter).Should().BeLessThan(1e-6f);
        MaxDifference(expAvg, expectedAvg).Should().BeLessThan(1e-6f);
        MaxDifference(expAvgSq, expectedAvgSq).Should().BeLessThan(1e-6f);
    }

    [Fact]
    public void UpdatesAContiguousViewAtAnOffsetAndNothingAroundIt()
    {
        using var scope = NewDisposeScope();
        var storage = ones(3, 10);
        var row = storage[1];
        var grad = full(10, 0.5f);
        var (expected, _, _) = Reference(row, grad, zeros(10), zeros(10));

        FusedCpuAdamW.TryUpdate(row, grad, zeros(10), zeros(10), Step, threads: 1).Should().BeTrue();

        MaxDifference(storage[1], expected).Should().BeLessThan(1e-7f);
        storage[0].eq(1).all().item<bool>().Should().BeTrue();
        storage[2].eq(1).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void RefusesWhatItCannotUpdateAndLeavesItUntouched()
    {
        using var scope = NewDisposeScope();
        var weights = ones(4, 6);
        var transposed = ones(6, 4).t();

        FusedCpuAdamW.TryUpdate(weights.to_type(ScalarType.Float64), ones(4, 6, ScalarType.Float64), zeros(4, 6, ScalarType.Float64), zeros(4, 6, ScalarType.Float64), Step, 1).Should().BeFalse();
        FusedCpuAdamW.TryUpdate(weights, transposed, zeros(4, 6), zeros(4, 6), Step, 1).Should().BeFalse();
        FusedCpuAdamW.TryUpdate(weights, ones(5, 6), zeros(4, 6), zeros(4, 6), Step, 1).Should().BeFalse();

        weights.eq(1).all().item<bool>().Should().BeTrue();
    }

    private static (Tensor Parameter, Tensor ExpAvg, Tensor ExpAvgSq) Reference(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq)
    {
        var scaled = grad * Step.GradientScale;
        var avg = expAvg + Step.OneMinusBeta1 * (scaled - expAvg);
        var avgSq = expAvgSq * Step.Beta2 + Step.OneMinusBeta2 * scaled * scaled;
        var updated = parameter * Step.Decay - Step.StepSize * avg / (avgSq.sqrt() + Step.Epsilon);
        return (updated, avg, avgSq);
    }

    private static float MaxDifference(Tensor actual, Tensor expected) => (actual - expected).abs().max().item<float>();
}
