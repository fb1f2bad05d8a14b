using Tcd.Models.Losses;
using static TorchSharp.torch;
using static Tcd.Models.Tests.Losses.TestTensors;

namespace Tcd.Models.Tests.Losses;

public class RelationTokenSamplerTests
{
    private static readonly RelationTokenSamplerOptions SmallOptions = new() { GroupCount = 4, GroupSize = 16 };

    [Fact]
    public void DefaultsAreThePapersValues()
    {
        var options = new RelationTokenSamplerOptions();

        options.GroupCount.Should().Be(32);
        options.GroupSize.Should().Be(128);
        options.TokenCount.Should().Be(4096);
    }

    [Theory]
    [InlineData(1, 32)]
    [InlineData(2, 16)]
    [InlineData(3, 11)]
    [InlineData(16, 2)]
    [InlineData(64, 1)]
    public void MicroBatchesShareTheGroupsOfAnOptimizerStep(int accumulationSteps, int groupsPerMicroBatch)
    {
        var perStep = new RelationTokenSamplerOptions();

        var perMicroBatch = perStep.ForMicroBatches(accumulationSteps);

        perMicroBatch.GroupCount.Should().Be(groupsPerMicroBatch);
        perMicroBatch.GroupSize.Should().Be(128);
        perMicroBatch.Should().NotBeSameAs(perStep);
        perStep.GroupCount.Should().Be(32);
        FluentActions.Invoking(() => perStep.ForMicroBatches(0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void FullSampleHasGroupShapeDistinctRealTokensOnly()
    {
        using var scope = NewDisposeScope();
        using var sampler = new RelationTokenSampler(SmallOptions, seed: 7);
        var mask = Mask(32, 30, 5, 32, 20); // 87 real tokens ≥ K = 64

        var sample = sampler.Sample(mask);

        sample.dtype.Should().Be(ScalarType.Int64);
        sample.shape.Should().Equal(4, 16);
        var indices = sample.data<long>().ToArray();
        indices.Should().OnlyHaveUniqueItems();
        indices.Should().OnlyContain(index => mask.reshape(-1)[index].item<long>() == 1);
    }

    [Fact]
    public void SameSeedGivesTheSameSamplesAndTheStreamMovesOn()
    {
        using var scope = NewDisposeScope();
        var mask = Mask(32, 32, 32, 32);
        using var first = new RelationTokenSampler(SmallOptions, seed: 11);
        using var second = new RelationTokenSampler(SmallOptions, seed: 11);
        using var other = new RelationTokenSampler(SmallOptions, seed: 12);

        var a1 = first.Sample(mask).data<long>().ToArray();
        var a2 = first.Sample(mask).data<long>().ToArray();

        second.Sample(mask).data<long>().ToArray().Should().Equal(a1);
        second.Sample(mask).data<long>().ToArray().Should().Equal(a2);
        a2.Should().NotEqual(a1);
        other.Sample(mask).data<long>().ToArray().Should().NotEqual(a1);
    }

    [Fact]
    public void FewerThanKRealTokensKeepGroupSizeAndReduceGroups()
    {
        using var scope = NewDisposeScope();
        using var sampler = new RelationTokenSampler(SmallOptions, seed: 3);
        var mask = Mask(40, 40, 13); // 53 real tokens: ⌊53 / 16⌋ = 3 groups

        var sample = sampler.Sample(mask);

        sample.shape.Should().Equal(3, 16);
        var indices = sample.data<long>().ToArray();
        indices.Should().OnlyHaveUniqueItems();
        indices.Should().OnlyContain(index => index < 53); // row 0 is all real, row 1 real up to position 12
    }

    [Fact]
    public void FewerThanOneGroupOfRealTokensGivesOneGroupOfAllOfThem()
    {
        using var scope = NewDisposeScope();
        using var sampler = new RelationTokenSampler(SmallOptions, seed: 3);
        var mask = Mask(8, 6, 4); // 10 real tokens < S = 16

        var sample = sampler.Sample(mask);

        sample.shape.Should().Equal(1, 10);
        sample.data<long>().ToArray().Should().BeEquivalentTo(new long[] { 0, 1, 2, 3, 4, 5, 8, 9, 10, 11 });
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(15, 1, 15)]
    [InlineData(16, 1, 16)]
    [InlineData(63, 3, 16)]
    [InlineData(64, 4, 16)]
    [InlineData(1000, 4, 16)]
    public void SampleShapeFollowsTheDocumentedRule(long realTokens, long groups, long groupSize)
    {
        using var sampler = new RelationTokenSampler(SmallOptions, seed: 0);

        sampler.SampleShape(realTokens).Should().Be((groups, groupSize));
    }

    [Fact]
    public void EveryRealTokenCanBeDrawn()
    {
        using var scope = NewDisposeScope();
        using var sampler = new RelationTokenSampler(new RelationTokenSamplerOptions { GroupCount = 1, GroupSize = 8 }, seed: 5);
        var mask = Mask(24, 20, 20);
        var seen = new HashSet<long>();

        for (var draw = 0; draw < 100; draw++)
        {
            using var step = NewDisposeScope();
            seen.UnionWith(sampler.Sample(mask).data<long>().ToArray());
        }

        seen.Should().BeEquivalentTo(Enumerable.Range(0, 20).Concat(Enumerable.Range(24, 20)).Select(i => (long)i));
    }

    [Fact]
    public void AllPaddingMaskAndBadOptionsThrow()
    {
        using var scope = NewDisposeScope();
        using var sampler = new RelationTokenSampler(SmallOptions, seed: 0);

        FluentActions.Invoking(() => sampler.Sample(zeros(2, 8, ScalarType.Int64)))
            .Should().Throw<ArgumentException>().WithMessage("*no real tokens*");
        FluentActions.Invoking(() => new RelationTokenSampler(new RelationTokenSamplerOptions { GroupSize = 0 }, seed: 0))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*GroupSize*");
    }
}
