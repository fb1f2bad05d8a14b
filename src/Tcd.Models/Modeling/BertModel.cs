using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// BERT / MoE-BERT encoder: <c>embeddings</c>, <c>encoder</c> and an optional <c>pooler</c>, with the state-dict
/// keys of Hugging Face <c>BertModel</c>. Post-LayerNorm, exact GELU, additive attention mask.
/// </summary>
public sealed class BertModel : nn.Module<Tensor, Tensor?, Tensor?, EncoderTaps, BertModelOutput>
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertPooler? pooler;

    /// <summary>
    /// Creates the model for <paramref name="config"/> (validated first), initialised like Hugging Face, on
    /// <paramref name="device"/> (default: CPU).
    /// </summary>
    /// <param name="config">Model shape.</param>
    /// <param name="addPoolingLayer">Whether to create the pooler (Hugging Face's <c>add_pooling_layer</c>).</param>
    /// <param name="device">Device for the parameters; null keeps them on the CPU.</param>
    public BertModel(BertConfig config, bool addPoolingLayer = true, Device? device = null) : base(TorchRuntime.LoadedModuleName(nameof(BertModel)))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        if (addPoolingLayer)
        {
            pooler = new BertPooler(config);
        }

        RegisterComponents();
        if (device is not null)
        {
            this.to(device);
        }
    }

    /// <summary>The configuration, including <see cref="BertConfig.AdapterSize"/> once adapters are enabled.</summary>
    public BertConfig Config { get; private set; }

    /// <summary>The embeddings.</summary>
    public BertEmbeddings Embeddings => embeddings;

    /// <summary>The layer stack.</summary>
    public BertEncoder Encoder => encoder;

    /// <summary>The pooler, or null when the model was built without one.</summary>
    public BertPooler? Pooler => pooler;

    /// <summary>
    /// Encodes a batch.
    /// </summary>
    /// <param name="inputIds">Token ids [B, T], int64.</param>
    /// <param name="tokenTypeIds">Segment ids [B, T], int64; null means all zeros.</param>
    /// <param name="attentionMask">[B, T], 1 for real tokens and 0 for padding (any numeric or bool dtype); null means no padding.</param>
    /// <param name="taps">Intermediate outputs to collect.</param>
    public override BertModelOutput forward(Tensor inputIds, Tensor? tokenTypeIds, Tensor? attentionMask, EncoderTaps taps)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2)
        {
            throw new ArgumentException($"inputIds must be [batch, tokens]; got shape [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        }

        var hidden = embeddings.forward(inputIds, tokenTypeIds);
        var (additiveMask, tokenMask) = Masks(attentionMask, inputIds, hidden.dtype);
        var output = encoder.forward(hidden, additiveMask, tokenMask, taps);
        return pooler is null ? output : output.WithPooler(pooler.forward);
    }

    /// <summary>
    /// Adds fresh Houlsby adapters of bottleneck <paramref name="size"/> after every attention output projection and
    /// every FFN/MoE output, and records the size in <see cref="Config"/>. A fresh adapter is close to the identity.
    /// </summary>
    public void EnableAdapters(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (Config.AdapterSize > 0)
        {
            throw new InvalidOperationException($"This model already has adapters of size {Config.AdapterSize}.");
        }

        foreach (var current in encoder.Layers)
        {
            current.Attention.Output.EnableAdapter(size);
            current.Output.EnableAdapter(size);
        }

        Config = Config with { AdapterSize = size };
    }

    /// <summary>
    /// Freezes everything except adapters, LayerNorms and the pooler for adapter tuning
    /// (see <see cref="AdapterTuning"/>).
    /// </summary>
    public void FreezeForAdapterTuning() => AdapterTuning.Freeze(this, name => name.StartsWith("pooler.", StringComparison.Ordinal));

    /// <summary>
    /// Hugging Face's extended attention mask: 0 for real tokens, the dtype's most negative value for padding,
    /// shaped [B, 1, 1, T] to broadcast over heads and queries; plus the boolean real-token mask [B, T].
    /// </summary>
    private static (Tensor Additive, Tensor Real) Masks(Tensor? attentionMask, Tensor inputIds, ScalarType dtype)
    {
        var real = attentionMask is null
            ? ones_like(inputIds, dtype: ScalarType.Bool)
            : attentionMask.to(inputIds.device).ne(TorchScalars.Zero);
        using var lowest = finfo(dtype).min.ToScalar();
        var additive = real.logical_not().to(dtype).unsqueeze(1).unsqueeze(2).mul(lowest);
        return (additive, real);
    }
}
