using Tcd.Models.Losses;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>The stack of <see cref="BertLayer"/>s (key <c>layer.{i}</c>, as Hugging Face <c>BertEncoder</c>).</summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor, EncoderTaps, BertModelOutput>
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE0052:Remove unread private members", Justification = "Registered by reflection in RegisterComponents; its name gives the weights their layer.{i} keys.")]
    private readonly ModuleList<BertLayer> layer;
    private readonly BertLayer[] layers;

    /// <summary>Creates <see cref="BertConfig.NumLayers"/> layers for <paramref name="config"/>.</summary>
    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        layers = Enumerable.Range(0, config.NumLayers).Select(_ => new BertLayer(config)).ToArray();
        layer = nn.ModuleList(layers);
        RegisterComponents();
    }

    /// <summary>The layers, bottom first.</summary>
    public IReadOnlyList<BertLayer> Layers => layers;

    /// <summary>
    /// Runs every layer on the embeddings <paramref name="hidden"/> [B, T, H] and collects the requested taps.
    /// The returned output has no pooled output (see <see cref="BertModel"/>).
    /// </summary>
    public override BertModelOutput forward(Tensor hidden, Tensor additiveMask, Tensor tokenMask, EncoderTaps taps)
    {
        var trunk = new List<Tensor>();
        var inner = new List<Tensor>();
        var queries = new List<Tensor>();
        var keys = new List<Tensor>();
        var routings = new List<MoeRouting>();
        foreach (var current in layers)
        {
            var result = current.forward(hidden, additiveMask, tokenMask);
            if (taps.HasFlag(EncoderTaps.Trunk))
            {
                trunk.Add(result.Attention.Output);
                trunk.Add(result.Output);
            }

            if (taps.HasFlag(EncoderTaps.Inner))
            {
                inner.Add(result.Attention.Inner);
                inner.Add(result.FeedForwardInner);
            }

            if (taps.HasFlag(EncoderTaps.QueryKey))
            {
                queries.Add(result.Attention.Queries);
                keys.Add(result.Attention.Keys);
            }

            if (result.Routing is not null)
            {
                routings.Add(result.Routing);
            }

            hidden = result.Output;
        }

        var loadBalance = routings.Count > 0
            ? LoadBalanceLoss.Compute(routings.Select(routing => routing.RouterProbabilityMean).ToList())
            : null;
        return new BertModelOutput(hidden, trunk, inner, queries, keys, routings, loadBalance, pooler: null);
    }
}
