using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// One post-LayerNorm Transformer layer: <c>attention</c>, then either the dense FFN (<c>intermediate</c> and
/// <c>output.dense</c>) or a Switch MoE layer (<c>moe</c>), then <c>output</c> (dropout, adapter,
/// <c>LayerNorm(x + attention output)</c>). Keys follow Hugging Face <c>BertLayer</c>.
/// </summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor, BertLayerOutput>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate? intermediate;
    private readonly SwitchMoeLayer? moe;
    private readonly BertSublayerOutput output;

    /// <summary>Creates a vanilla layer, or a MoE layer when <see cref="BertConfig.ExpertCount"/> is positive.</summary>
    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        attention = new BertAttention(config);
        if (config.IsMoe)
        {
            moe = new SwitchMoeLayer(config);
            output = new BertSublayerOutput(config, inputSize: null);
        }
        else
        {
            intermediate = new BertIntermediate(config);
            output = new BertSublayerOutput(config, config.IntermediateSize);
        }

        RegisterComponents();
    }

    /// <summary>The attention sublayer.</summary>
    public BertAttention Attention => attention;

    /// <summary>The first half of the dense FFN, or null in a MoE layer.</summary>
    public BertIntermediate? Intermediate => intermediate;

    /// <summary>The Switch MoE layer, or null in a vanilla layer.</summary>
    public SwitchMoeLayer? Moe => moe;

    /// <summary>The end of the FFN/MoE sublayer (projection for the dense FFN, dropout, adapter, LayerNorm).</summary>
    public BertSublayerOutput Output => output;

    /// <summary>
    /// Runs the layer on <paramref name="hidden"/> [B, T, H]; <paramref name="additiveMask"/> [B, 1, 1, T] masks padding
    /// in attention and <paramref name="tokenMask"/> [B, T] (bool) keeps padding out of MoE routing.
    /// </summary>
    public override BertLayerOutput forward(Tensor hidden, Tensor additiveMask, Tensor tokenMask)
    {
        var attended = attention.forward(hidden, additiveMask);
        Tensor feedForward;
        MoeRouting? routing = null;
        if (moe is not null)
        {
            (feedForward, routing) = moe.forward(attended.Output, tokenMask);
        }
        else
        {
            feedForward = intermediate!.forward(attended.Output);
        }

        var (inner, result) = output.forward(feedForward, attended.Output);
        return new BertLayerOutput(attended, result, inner, routing);
    }
}
