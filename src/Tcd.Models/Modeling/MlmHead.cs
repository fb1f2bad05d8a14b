using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// The masked-LM head (Hugging Face <c>BertOnlyMLMHead</c>, key <c>predictions.*</c>): transform (dense, GELU,
/// LayerNorm), then the decoder tied to the word embeddings plus an output bias.
/// </summary>
public sealed class MlmHead : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly MlmPredictionHead predictions;

    /// <summary>Creates the head for <paramref name="config"/>.</summary>
    public MlmHead(BertConfig config) : base(nameof(MlmHead))
    {
        ArgumentNullException.ThrowIfNull(config);
        predictions = new MlmPredictionHead(config);
        RegisterComponents();
    }

    /// <summary>The transform and output bias.</summary>
    public MlmPredictionHead Predictions => predictions;

    /// <summary>
    /// Scores every vocabulary entry: <paramref name="hidden"/> [..., H] with the tied <paramref name="wordEmbeddings"/>
    /// [V, H] gives logits [..., V].
    /// </summary>
    public override Tensor forward(Tensor hidden, Tensor wordEmbeddings) => predictions.forward(hidden, wordEmbeddings);
}
