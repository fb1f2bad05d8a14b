using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Everything one <see cref="BertModel"/> forward pass produces. Tap lists are empty unless requested through
/// <see cref="EncoderTaps"/>; routing and load-balance loss are empty / null for a vanilla model.
/// </summary>
public sealed class BertModelOutput
{
    private readonly Func<Tensor, Tensor>? pooler;
    private Tensor? pooled;

    /// <summary>Creates the output; <paramref name="pooler"/> computes the pooled output on first request (null: none).</summary>
    public BertModelOutput(
        Tensor sequenceOutput,
        IReadOnlyList<Tensor> trunk,
        IReadOnlyList<Tensor> inner,
        IReadOnlyList<Tensor> queries,
        IReadOnlyList<Tensor> keys,
        IReadOnlyList<MoeRouting> moeRouting,
        Tensor? loadBalanceLoss,
        Func<Tensor, Tensor>? pooler)
    {
        SequenceOutput = sequenceOutput ?? throw new ArgumentNullException(nameof(sequenceOutput));
        Trunk = trunk ?? throw new ArgumentNullException(nameof(trunk));
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        Queries = queries ?? throw new ArgumentNullException(nameof(queries));
        Keys = keys ?? throw new ArgumentNullException(nameof(keys));
        MoeRouting = moeRouting ?? throw new ArgumentNullException(nameof(moeRouting));
        LoadBalanceLoss = loadBalanceLoss;
        this.pooler = pooler;
    }

    /// <summary>The last layer's output [B, T, H].</summary>
    public Tensor SequenceOutput { get; }

    /// <summary>Post-LayerNorm outputs, 2 per layer (attention, FFN/MoE), each [B, T, H]; empty unless <see cref="EncoderTaps.Trunk"/>.</summary>
    public IReadOnlyList<Tensor> Trunk { get; }

    /// <summary>Sublayer outputs before the residual add, 2 per layer, each [B, T, H]; empty unless <see cref="EncoderTaps.Inner"/>.</summary>
    public IReadOnlyList<Tensor> Inner { get; }

    /// <summary>Per-layer attention queries [B, heads, T, head size]; empty unless <see cref="EncoderTaps.QueryKey"/>.</summary>
    public IReadOnlyList<Tensor> Queries { get; }

    /// <summary>Per-layer attention keys [B, heads, T, head size]; empty unless <see cref="EncoderTaps.QueryKey"/>.</summary>
    public IReadOnlyList<Tensor> Keys { get; }

    /// <summary>One routing record per MoE layer, bottom first; empty for a vanilla model.</summary>
    public IReadOnlyList<MoeRouting> MoeRouting { get; }

    /// <summary>The load-balance loss averaged over MoE layers (differentiable scalar), or null for a vanilla model.</summary>
    public Tensor? LoadBalanceLoss { get; }

    /// <summary>True when the model has a pooler, so <see cref="PooledOutput"/> is available.</summary>
    public bool HasPooler => pooler is not null;

    /// <summary>
    /// <c>tanh(dense(h_[CLS]))</c> [B, H], computed on first access (in the dispose scope and grad mode current then);
    /// null when the model has no pooler.
    /// </summary>
    public Tensor? PooledOutput => pooler is null ? null : pooled ??= pooler(SequenceOutput);

    /// <summary>A copy of this output whose pooled output is computed by <paramref name="pooler"/>.</summary>
    internal BertModelOutput WithPooler(Func<Tensor, Tensor>? pooler) =>
        new(SequenceOutput, Trunk, Inner, Queries, Keys, MoeRouting, LoadBalanceLoss, pooler);

    /// <summary>
    /// Moves every tensor of this output (and the pooled output if already computed) to the enclosing dispose scope,
    /// so it outlives the scope the forward pass ran in.
    /// </summary>
    public BertModelOutput MoveToOuterDisposeScope()
    {
        // A tensor can appear twice (the last trunk tap is the sequence output); move each once.
        var tensors = new HashSet<Tensor>(ReferenceEqualityComparer.Instance) { SequenceOutput };
        tensors.UnionWith(Trunk.Concat(Inner).Concat(Queries).Concat(Keys));
        foreach (var tensor in tensors)
        {
            tensor.MoveToOuterDisposeScope();
        }

        foreach (var routing in MoeRouting)
        {
            routing.MoveToOuterDisposeScope();
        }

        LoadBalanceLoss?.MoveToOuterDisposeScope();
        pooled?.MoveToOuterDisposeScope();
        return this;
    }
}
