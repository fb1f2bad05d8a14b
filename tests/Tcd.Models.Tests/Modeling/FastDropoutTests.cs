using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

public class FastDropoutTests
{
    [Fact]
    public void Training_drops_the_given_share_and_scales_the_rest()
    {
        using var scope = NewDisposeScope();
        using var dropout = new FastDropout(0.1);
        dropout.train();
        var input = (rand(1000, 1000) + 0.5).requires_grad_();

        var output = dropout.forward(input);
        output.sum().backward();

        var dropped = output.eq(0).to_type(ScalarType.Float64).mean().item<double>();
        dropped.Should().BeApproximately(0.1, 0.002); // 1 M draws: the standard error is 0.0003
        var kept = output.ne(0);
        (output.masked_select(kept) - input.detach().masked_select(kept) / 0.9).abs().max().item<float>().Should().BeLessThan(1e-6f);
        // The gradient is the same scaled mask: 1 / 0.9 where kept, 0 where dropped.
        (input.grad! - kept.to_type(ScalarType.Float32) / 0.9f).abs().max().item<float>().Should().BeLessThan(1e-6f);
    }

    [Fact]
    public void Eval_mode_and_zero_probability_pass_the_input_through()
    {
        using var scope = NewDisposeScope();
        var input = randn(4, 8);
        using var evaluating = new FastDropout(0.5);
        evaluating.eval();
        using var never = new FastDropout(0);
        never.train();

        evaluating.forward(input).eq(input).all().item<bool>().Should().BeTrue();
        never.forward(input).eq(input).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Same_seed_gives_the_same_mask_and_probability_one_drops_everything()
    {
        using var scope = NewDisposeScope();
        using var dropout = new FastDropout(0.3);
        dropout.train();
        var input = ones(64, 64);

        manual_seed(5);
        var first = dropout.forward(input);
        manual_seed(5);
        var second = dropout.forward(input);
        using var all = new FastDropout(1);
        all.train();

        first.eq(second).all().item<bool>().Should().BeTrue();
        all.forward(input).eq(0).all().item<bool>().Should().BeTrue();
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Probabilities_outside_zero_to_one_are_refused(double probability)
    {
        var act = () => new FastDropout(probability);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 1]*");
    }

    [Fact]
    public void Training_attention_matches_the_fused_kernel_when_nothing_is_dropped()
    {
        using var scope = NewDisposeScope();
        // A drop probability too small to drop anything in fp32 runs the training path with an all-ones mask.
        manual_seed(9);
        using var model = new BertModel(TinyConfigs.Vanilla with { HiddenDropout = 0, AttentionDropout = 1e-9 }, addPoolingLayer: false);
        var ids = TinyConfigs.RandomIds(TinyConfigs.Vanilla, 3, 10, seed: 2);
        var mask = ones(3, 10, dtype: ScalarType.Int64);
        mask[2, TensorIndex.Slice(6)] = 0;

        model.train();
        var training = model.forward(ids, null, mask, EncoderTaps.None).SequenceOutput;
        model.eval();
        var fused = model.forward(ids, null, mask, EncoderTaps.None).SequenceOutput;

        TinyConfigs.MaxAbsDiff(training, fused).Should().BeLessThan(1e-5);
    }
}
