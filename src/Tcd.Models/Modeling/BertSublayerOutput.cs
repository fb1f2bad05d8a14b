using Tcd.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// The end of a sublayer, post-LayerNorm as in Devlin et al.: optional projection <c>dense</c>, dropout, optional
/// Houlsby <c>adapter</c>, then <c>LayerNorm(x + residual)</c>. Plays Hugging Face's <c>BertSelfOutput</c>
/// (attention, dense H→H), <c>BertOutput</c> (FFN, dense I→H) and, without a projection, the end of a MoE layer.
/// </summary>
public sealed class BertSublayerOutput : nn.Module<Tensor, Tensor, (Tensor Inner, Tensor Output)>
{
    private readonly Linear? dense;
    private readonly LayerNorm LayerNorm;
    private readonly FastDropout dropout;
    private HoulsbyAdapter? adapter;

    /// <summary>
    /// Creates the sublayer end for <paramref name="config"/>. With <paramref name="inputSize"/> a projection
    /// from that width to the hidden size comes first; with null the sublayer output is used as is.
    /// Adapters are created when <see cref="BertConfig.AdapterSize"/> is positive.
    /// </summary>
    public BertSublayerOutput(BertConfig config, int? inputSize) : base(nameof(BertSublayerOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (inputSize is { } width)
        {
            dense = BertInitializer.Linear(width, config.HiddenSize, config.InitializerRange);
        }

        LayerNorm = BertInitializer.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = new FastDropout(config.HiddenDropout);
        if (config.AdapterSize > 0)
        {
            adapter = new HoulsbyAdapter(config.HiddenSize, config.AdapterSize);
        }

        RegisterComponents();
    }

    /// <summary>The adapter, or null when adapters are off.</summary>
    public HoulsbyAdapter? Adapter => adapter;

    /// <summary>
    /// Inserts a fresh adapter of the given bottleneck width, on the device and dtype of this module's LayerNorm.
    /// Throws when an adapter is already present.
    /// </summary>
    public void EnableAdapter(int bottleneckSize)
    {
        if (adapter is not null)
        {
            throw new InvalidOperationException("This sublayer already has an adapter; adapters can be enabled once.");
        }

        var reference = LayerNorm.weight!;
        var created = new HoulsbyAdapter((int)reference.shape[0], bottleneckSize);
        created.to(reference.device, reference.dtype);
        created.train(training);
        adapter = created;
        register_module(nameof(adapter), created);
    }

    /// <summary>
    /// Finishes a sublayer: <paramref name="sublayerOutput"/> (H wide, or the projection's input width) is projected,
    /// dropped out and adapted into <c>Inner</c> (the sublayer output before the residual add); <c>Output</c> is
    /// <c>LayerNorm(Inner + residual)</c>.
    /// </summary>
    public override (Tensor Inner, Tensor Output) forward(Tensor sublayerOutput, Tensor residual)
    {
        using var scope = NewDisposeScope();
        var inner = dropout.forward(dense is null ? sublayerOutput : dense.forward(sublayerOutput));
        if (adapter is not null)
        {
            inner = adapter.forward(inner);
        }

        var output = LayerNorm.forward(inner.add(residual, TorchScalars.One));
        return (inner.MoveToOuterDisposeScope(), output.MoveToOuterDisposeScope());
    }
}
