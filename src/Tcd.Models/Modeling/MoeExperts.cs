using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// The experts of one Switch MoE layer, each shaped like the dense FFN, with their weights stacked:
/// <c>intermediate_weight</c> [E, I, H], <c>intermediate_bias</c> [E, I], <c>output_weight</c> [E, H, I],
/// <c>output_bias</c> [E, H]. Expert e computes <c>W2[e] GELU(W1[e] x + b1[e]) + b2[e]</c>.
/// </summary>
public sealed class MoeExperts : nn.Module
{
    // Field names are the state-dict names.
    private Parameter intermediate_weight;
    private Parameter intermediate_bias;
    private Parameter output_weight;
    private Parameter output_bias;

    /// <summary>Creates <see cref="BertConfig.ExpertCount"/> experts initialised like the dense FFN (Normal weights, zero biases).</summary>
    public MoeExperts(BertConfig config) : base(nameof(MoeExperts))
    {
        ArgumentNullException.ThrowIfNull(config);
        long e = config.ExpertCount, h = config.HiddenSize, i = config.IntermediateSize;
        intermediate_weight = BertInitializer.NormalParameter([e, i, h], config.InitializerRange);
        intermediate_bias = BertInitializer.ZeroParameter([e, i]);
        output_weight = BertInitializer.NormalParameter([e, h, i], config.InitializerRange);
        output_bias = BertInitializer.ZeroParameter([e, h]);
        RegisterComponents();
    }

    /// <summary>Stacked first-layer weights [E, I, H].</summary>
    public Parameter IntermediateWeight => intermediate_weight;

    /// <summary>Stacked first-layer biases [E, I].</summary>
    public Parameter IntermediateBias => intermediate_bias;

    /// <summary>Stacked second-layer weights [E, H, I].</summary>
    public Parameter OutputWeight => output_weight;

    /// <summary>Stacked second-layer biases [E, H].</summary>
    public Parameter OutputBias => output_bias;

    /// <summary>Runs expert <paramref name="expert"/> on the tokens <paramref name="tokens"/> [N, H]; returns [N, H].</summary>
    public Tensor Forward(int expert, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var inner = nn.functional.gelu(nn.functional.linear(tokens, intermediate_weight[expert], intermediate_bias[expert]));
        return nn.functional.linear(inner, output_weight[expert], output_bias[expert]).MoveToOuterDisposeScope();
    }
}
