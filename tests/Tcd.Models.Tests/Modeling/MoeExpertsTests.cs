using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

public class MoeExpertsTests
{
    private static readonly BertConfig Config = TinyConfigs.Moe;

    [Fact]
    public void Grouped_forward_and_gradients_equal_running_each_expert_on_its_block()
    {
        manual_seed(11);
        using var experts = new MoeExperts(Config);
        using var tokens = randn(9, Config.HiddenSize);
        long[] sizes = [3, 0, 4, 2]; // expert 1 gets no tokens

        var grouped = experts.ForwardGrouped(tokens, sizes);
        grouped.square().sum().backward();
        var groupedGrad = experts.IntermediateWeight.grad!.clone();
        experts.zero_grad();

        var oneByOne = cat(new[] { experts.Forward(0, tokens.narrow(0, 0, 3)), experts.Forward(2, tokens.narrow(0, 3, 4)), experts.Forward(3, tokens.narrow(0, 7, 2)) }, dim: 0);
        oneByOne.square().sum().backward();

        TinyConfigs.MaxAbsDiff(grouped, oneByOne).Should().BeLessThan(1e-6);
        TinyConfigs.MaxAbsDiff(groupedGrad, experts.IntermediateWeight.grad!).Should().BeLessThan(1e-6);
        groupedGrad[1].abs().sum().item<float>().Should().Be(0, "an expert without tokens gets no gradient");
    }

    [Fact]
    public void Grouped_forward_rejects_sizes_that_do_not_cover_the_tokens()
    {
        using var experts = new MoeExperts(Config);
        using var tokens = randn(5, Config.HiddenSize);

        var act = () => experts.ForwardGrouped(tokens, [1, 1, 1, 1]);

        act.Should().Throw<ArgumentException>().WithMessage("*4 non-negative group sizes adding up to the 5 token rows*");
    }
}
