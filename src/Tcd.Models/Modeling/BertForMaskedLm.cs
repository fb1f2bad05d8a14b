using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// BERT / MoE-BERT with the masked-LM head, keys as Hugging Face <c>BertForMaskedLM</c>: <c>bert.*</c> (no pooler)
/// and <c>cls.predictions.*</c>; the decoder weight is tied to <c>bert.embeddings.word_embeddings.weight</c>.
/// </summary>
public sealed class BertForMaskedLm : nn.Module<Tensor, Tensor?, Tensor?, EncoderTaps, Tensor?, MaskedLmOutput>
{
    private readonly BertModel bert;
    private readonly MlmHead cls;

    /// <summary>Creates the model for <paramref name="config"/> on <paramref name="device"/> (default: CPU).</summary>
    public BertForMaskedLm(BertConfig config, Device? device = null) : base(TorchRuntime.LoadedModuleName(nameof(BertForMaskedLm)))
    {
        ArgumentNullException.ThrowIfNull(config);
        bert = new BertModel(config, addPoolingLayer: false);
        cls = new MlmHead(config);
        RegisterComponents();
        if (device is not null)
        {
            this.to(device);
        }
    }

    /// <summary>The configuration.</summary>
    public BertConfig Config => bert.Config;

    /// <summary>The encoder (<c>bert.*</c>).</summary>
    public BertModel Bert => bert;

    /// <summary>The masked-LM head (<c>cls.*</c>).</summary>
    public MlmHead Head => cls;

    /// <summary>
    /// Encodes the batch and scores the vocabulary.
    /// </summary>
    /// <param name="inputIds">Token ids [B, T], int64.</param>
    /// <param name="tokenTypeIds">Segment ids [B, T]; null means all zeros.</param>
    /// <param name="attentionMask">[B, T], 1 real / 0 padding; null means no padding.</param>
    /// <param name="taps">Intermediate outputs to collect.</param>
    /// <param name="positions">
    /// Flat indices into the B*T tokens (int64 [N]) at which to run the head, giving logits [N, V];
    /// null runs it on every token, giving [B, T, V].
    /// </param>
    public override MaskedLmOutput forward(Tensor inputIds, Tensor? tokenTypeIds, Tensor? attentionMask, EncoderTaps taps, Tensor? positions)
    {
        var encoded = bert.forward(inputIds, tokenTypeIds, attentionMask, taps);
        var hidden = encoded.SequenceOutput;
        if (positions is not null)
        {
            hidden = hidden.reshape(-1, hidden.shape[^1]).index_select(0, positions.to(ScalarType.Int64));
        }

        // A new handle to the weights, freed at once also for callers without a dispose scope; the autograd graph
        // keeps what the backward pass needs.
        using var wordEmbeddings = bert.Embeddings.WordEmbeddingWeight;
        var logits = Head.forward(hidden, wordEmbeddings);
        return new MaskedLmOutput(logits, encoded);
    }

    /// <inheritdoc cref="BertModel.EnableAdapters"/>
    public void EnableAdapters(int size) => bert.EnableAdapters(size);
}
