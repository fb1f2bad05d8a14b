using Tcd.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Word + position + token-type embeddings, then LayerNorm and dropout (Hugging Face <c>BertEmbeddings</c>;
/// state-dict keys <c>word_embeddings</c>, <c>position_embeddings</c>, <c>token_type_embeddings</c>, <c>LayerNorm</c>).
/// </summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor?, Tensor>
{
    // Field names are the Hugging Face state-dict names.
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly FastDropout dropout;
    private readonly int maxPositions;

    /// <summary>Creates the embeddings for <paramref name="config"/>, initialised like Hugging Face.</summary>
    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        ArgumentNullException.ThrowIfNull(config);
        maxPositions = config.MaxPositions;
        word_embeddings = BertInitializer.Embedding(config.VocabSize, config.HiddenSize, config.InitializerRange, config.PadTokenId);
        position_embeddings = BertInitializer.Embedding(config.MaxPositions, config.HiddenSize, config.InitializerRange);
        token_type_embeddings = BertInitializer.Embedding(config.TypeVocabSize, config.HiddenSize, config.InitializerRange);
        LayerNorm = BertInitializer.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = new FastDropout(config.HiddenDropout);
        RegisterComponents();
    }

    /// <summary>
    /// The word embedding matrix [V, H]; the masked-LM decoder is tied to it. TorchSharp's <c>Embedding</c> is a native
    /// module, so each read is a new handle to the same weights: dispose it (or read it inside a dispose scope) when done;
    /// that frees the handle, not the weights, which the module keeps.
    /// </summary>
    public Parameter WordEmbeddingWeight => word_embeddings.weight!;

    /// <summary>
    /// Embeds <paramref name="inputIds"/> [B, T] (int64). <paramref name="tokenTypeIds"/> [B, T] defaults to all zeros.
    /// Returns [B, T, H].
    /// </summary>
    public override Tensor forward(Tensor inputIds, Tensor? tokenTypeIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        var length = inputIds.shape[^1];
        if (length > maxPositions)
        {
            throw new ArgumentException(
                $"The input has {length} tokens but the model has only {maxPositions} position embeddings (BertConfig.MaxPositions); truncate the input.",
                nameof(inputIds));
        }

        using var scope = NewDisposeScope();
        using var end = length.ToScalar();
        var positionIds = arange(TorchScalars.Zero, end, TorchScalars.One, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        var types = tokenTypeIds ?? zeros_like(inputIds);
        var sum = word_embeddings.forward(inputIds)
            .add(token_type_embeddings.forward(types), TorchScalars.One)
            .add_(position_embeddings.forward(positionIds), TorchScalars.One);
        return dropout.forward(LayerNorm.forward(sum)).MoveToOuterDisposeScope();
    }
}
