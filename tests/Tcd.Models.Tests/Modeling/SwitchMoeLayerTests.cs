using Tcd.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

public class SwitchMoeLayerTests
{
    private static readonly BertConfig Config = TinyConfigs.Moe;

    [Fact]
    public void One_expert_model_equals_the_dense_model_with_the_same_weights()
    {
        manual_seed(1);
        using var dense = new BertForMaskedLm(TinyConfigs.Vanilla);
        using var moe = new BertForMaskedLm(TinyConfigs.Vanilla.WithExperts(1));
        var denseWeights = dense.state_dict();
        using (no_grad())
        {
            foreach (var (name, target) in moe.state_dict())
            {
                // The router keeps its own weights: with one expert its probability is 1 whatever they are.
                if (!name.Contains(".moe.router.", StringComparison.Ordinal))
                {
                    target.copy_(DenseSource(name, denseWeights));
                }
            }
        }

        dense.eval();
        moe.eval();
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Vanilla, 2, 7, seed: 3);
        using var _ = no_grad();

        var expected = dense.forward(ids, null, null, EncoderTaps.None, null).Logits;
        var actual = moe.forward(ids, null, null, EncoderTaps.None, null);

        TinyConfigs.MaxAbsDiff(actual.Logits, expected).Should().BeLessThan(1e-5);
        actual.Encoder.MoeRouting.Should().HaveCount(2);
    }

    [Fact]
    public void Each_token_goes_to_its_argmax_expert_scaled_by_its_probability()
    {
        manual_seed(2);
        using var layer = new SwitchMoeLayer(Config);
        using var hidden = randn(2, 5, Config.HiddenSize);
        using var mask = ones(2, 5, dtype: ScalarType.Bool);
        using var _ = no_grad();

        var (output, routing) = layer.forward(hidden, mask);

        var tokens = hidden.reshape(-1, Config.HiddenSize);
        var probabilities = nn.functional.linear(tokens, layer.Router.weight!, layer.Router.bias!).softmax(dim: -1);
        var (gate, chosen) = probabilities.max(dim: -1);
        var experts = layer.Experts;
        var expected = stack(Enumerable.Range(0, 10).Select(n =>
        {
            var i = chosen[n].item<long>();
            var inner = nn.functional.gelu(matmul(experts.IntermediateWeight[i], tokens[n]) + experts.IntermediateBias[i]);
            return (matmul(experts.OutputWeight[i], inner) + experts.OutputBias[i]) * gate[n];
        }), dim: 0);
        TinyConfigs.MaxAbsDiff(output.reshape(-1, Config.HiddenSize), expected).Should().BeLessThan(1e-5);
        routing.TokensPerExpert.data<long>().ToArray().Should().Equal(chosen.bincount(null, Config.ExpertCount).data<long>().ToArray());
        routing.DroppedTokens.item<long>().Should().Be(0);
    }

    [Fact]
    public void Gradients_reach_the_router_and_the_experts()
    {
        manual_seed(3);
        using var layer = new SwitchMoeLayer(Config);
        using var hidden = randn(2, 6, Config.HiddenSize);
        using var mask = ones(2, 6, dtype: ScalarType.Bool);

        var (output, routing) = layer.forward(hidden, mask);
        (output.square().sum() + routing.RouterProbabilityMean.square().sum()).backward();

        layer.Router.weight!.grad.Should().NotBeNull();
        layer.Router.weight!.grad!.abs().sum().item<float>().Should().BeGreaterThan(0);
        layer.Experts.IntermediateWeight.grad!.abs().sum().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Capacity_factor_drops_the_overflow_tokens_to_zero()
    {
        var config = Config with { CapacityFactor = 1.0 };
        manual_seed(4);
        using var layer = new SwitchMoeLayer(config);
        using (no_grad())
        {
            // Every token prefers expert 0; 8 real tokens over 4 experts give capacity ceil(1.0 * 8 / 4) = 2.
            layer.Router.weight!.zero_();
            layer.Router.bias!.copy_(tensor(new float[] { 10, 0, 0, 0 }));
        }

        using var hidden = randn(1, 10, config.HiddenSize);
        using var mask = tensor(new[] { true, true, true, true, true, true, true, true, false, false }).reshape(1, 10);
        using var _ = no_grad();

        var (output, routing) = layer.forward(hidden, mask);

        var perToken = output.reshape(10, -1).abs().sum(dim: 1).data<float>().ToArray();
        perToken.Take(2).Should().OnlyContain(value => value > 0, "the first two tokens fit in expert 0");
        perToken.Skip(2).Should().OnlyContain(value => value == 0, "overflow and padding tokens get no MoE output");
        routing.DroppedTokens.item<long>().Should().Be(6);
        routing.TokensPerExpert.data<long>().ToArray().Should().Equal(8, 0, 0, 0);
        var statistics = routing.ToStatistics();
        statistics.DroppedFraction.Should().BeApproximately(0.75, 1e-12);
        statistics.MaxOverMean.Should().BeApproximately(4, 1e-12);
        statistics.TokenShare.Should().Equal(1.0, 0.0, 0.0, 0.0);

        layer.eval();
        var (inference, inferenceRouting) = layer.forward(hidden, mask);
        inference.reshape(10, -1).abs().sum(dim: 1).data<float>().Take(8).Should().OnlyContain(value => value > 0, "inference routes every token, whatever else is in the batch");
        inferenceRouting.DroppedTokens.item<long>().Should().Be(0);
    }

    [Fact]
    public void Routing_statistics_count_only_real_tokens()
    {
        manual_seed(5);
        using var layer = new SwitchMoeLayer(Config);
        using var hidden = randn(3, 8, Config.HiddenSize);
        using var mask = arange(8).unsqueeze(0).lt(tensor(new long[] { 8, 5, 2 }).unsqueeze(1));
        using var _ = no_grad();

        var (output, routing) = layer.forward(hidden, mask);

        routing.TokensPerExpert.sum().item<long>().Should().Be(15);
        routing.TokensPerExpert.dtype.Should().Be(ScalarType.Int64);
        routing.RouterProbabilityMean.sum().item<float>().Should().BeApproximately(1f, 1e-5f);
        output.masked_select(mask.logical_not().unsqueeze(-1)).abs().max().item<float>().Should().Be(0, "padding is not routed");
        var statistics = routing.ToStatistics();
        statistics.TokenShare.Sum().Should().BeApproximately(1, 1e-12);
        statistics.RouterEntropy.Should().BeInRange(0, Math.Log(Config.ExpertCount) + 1e-6);
        statistics.DroppedFraction.Should().Be(0);
    }

    [Fact]
    public void Padding_rows_do_not_change_the_router_probability_mean()
    {
        manual_seed(6);
        using var layer = new SwitchMoeLayer(Config);
        using var hidden = randn(1, 4, Config.HiddenSize);
        using var padded = cat([hidden, randn(1, 3, Config.HiddenSize) * 100], dim: 1);
        using var mask = ones(1, 4, dtype: ScalarType.Bool);
        using var paddedMask = cat([mask, zeros(1, 3, dtype: ScalarType.Bool)], dim: 1);
        using var _ = no_grad();

        var plain = layer.forward(hidden, mask).Routing;
        var withPadding = layer.forward(padded, paddedMask).Routing;

        TinyConfigs.MaxAbsDiff(withPadding.RouterProbabilityMean, plain.RouterProbabilityMean).Should().BeLessThan(1e-6);
        withPadding.TokensPerExpert.data<long>().ToArray().Should().Equal(plain.TokensPerExpert.data<long>().ToArray());
        withPadding.RouterEntropy.item<float>().Should().BeApproximately(plain.RouterEntropy.item<float>(), 1e-6f);
    }

    [Fact]
    public void The_router_computes_in_fp32_when_the_model_is_bfloat16()
    {
        manual_seed(7);
        using var layer = new SwitchMoeLayer(Config);
        layer.to(ScalarType.BFloat16);
        using var hidden = randn(2, 6, Config.HiddenSize).to(ScalarType.BFloat16);
        using var mask = ones(2, 6, dtype: ScalarType.Bool);
        using var _ = no_grad();

        var (output, routing) = layer.forward(hidden, mask);

        // The reference: the same bfloat16 values, routed in fp32. A bfloat16 softmax is off by about 1e-3.
        var tokens = hidden.reshape(-1, Config.HiddenSize).to(ScalarType.Float32);
        var probabilities = nn.functional.linear(tokens, layer.Router.weight!.to(ScalarType.Float32), layer.Router.bias!.to(ScalarType.Float32)).softmax(dim: -1);
        output.dtype.Should().Be(ScalarType.BFloat16, "the experts compute in the model's dtype");
        routing.RouterProbabilityMean.dtype.Should().Be(ScalarType.Float32);
        TinyConfigs.MaxAbsDiff(routing.RouterProbabilityMean, probabilities.mean(dimensions: [0])).Should().BeLessThan(1e-6);
        routing.TokensPerExpert.data<long>().ToArray().Should().Equal(probabilities.argmax(dim: -1).bincount(null, Config.ExpertCount).data<long>().ToArray());
    }

    [Fact]
    public void Router_entropy_is_the_mean_over_real_tokens_of_each_tokens_entropy_in_nats()
    {
        manual_seed(8);
        using var layer = new SwitchMoeLayer(Config);
        using var hidden = randn(2, 5, Config.HiddenSize) * 20;
        using var mask = tensor(new[] { true, true, true, true, true, true, true, false, false, false }).reshape(2, 5);
        using var _ = no_grad();

        var statistics = layer.forward(hidden, mask).Routing.ToStatistics();

        var realTokens = hidden.reshape(-1, Config.HiddenSize).narrow(0, 0, 7).to(ScalarType.Float64);
        var probabilities = nn.functional.linear(realTokens, layer.Router.weight!.to(ScalarType.Float64), layer.Router.bias!.to(ScalarType.Float64))
            .softmax(dim: -1).data<double>().ToArray().Chunk(Config.ExpertCount).ToList();
        var expected = probabilities.Average(token => -token.Sum(p => p * Math.Log(p)));
        var entropyOfTheMean = -Enumerable.Range(0, Config.ExpertCount).Select(e => probabilities.Average(token => token[e])).Sum(p => p * Math.Log(p));
        expected.Should().NotBeApproximately(entropyOfTheMean, 1e-2, "the test must tell the two apart");
        statistics.RouterEntropy.Should().BeApproximately(expected, 1e-5);
    }

    /// <summary>The dense model's tensor for a one-expert model's tensor name (experts take the FFN weights).</summary>
    private static Tensor DenseSource(string name, Dictionary<string, Tensor> dense)
    {
        var marker = ".moe.";
        var at = name.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return dense[name];
        }

        var prefix = name[..at];
        return name[(at + marker.Length)..] switch
        {
            "experts.intermediate_weight" => dense[$"{prefix}.intermediate.dense.weight"].unsqueeze(0),
            "experts.intermediate_bias" => dense[$"{prefix}.intermediate.dense.bias"].unsqueeze(0),
            "experts.output_weight" => dense[$"{prefix}.output.dense.weight"].unsqueeze(0),
            "experts.output_bias" => dense[$"{prefix}.output.dense.bias"].unsqueeze(0),
            var other => throw new InvalidOperationException($"unexpected MoE tensor {other}"),
        };
    }
}
