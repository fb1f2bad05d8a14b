using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Masked-LM predictions (Hugging Face <c>BertLMPredictionHead</c>, keys <c>transform.*</c> and <c>bias</c>):
/// <c>transform</c>, then a decoder whose weight is the word-embedding matrix (tied, passed in at each call so it is
/// stored once) plus an output bias.
/// </summary>
public sealed class MlmPredictionHead : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly MlmHeadTransform transform;
    private Parameter bias;

    /// <summary>Creates the head for <paramref name="config"/>; the output bias starts at zero.</summary>
    public MlmPredictionHead(BertConfig config) : base(nameof(MlmPredictionHead))
    {
        ArgumentNullException.ThrowIfNull(config);
        transform = new MlmHeadTransform(config);
        bias = BertInitializer.ZeroParameter([config.VocabSize]);
        RegisterComponents();
    }

    /// <summary>The decoder's output bias [V].</summary>
    public Parameter Bias => bias;

    /// <summary>
    /// Scores every vocabulary entry: <paramref name="hidden"/> [..., H] with the tied <paramref name="wordEmbeddings"/>
    /// [V, H] gives logits [..., V].
    /// </summary>
    public override Tensor forward(Tensor hidden, Tensor wordEmbeddings)
    {
        using var scope = NewDisposeScope();
        return nn.functional.linear(transform.forward(hidden), wordEmbeddings, bias).MoveToOuterDisposeScope();
    }
}
