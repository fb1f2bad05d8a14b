using Tcd.Models.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Houlsby et al. (2019) bottleneck adapter: <c>x + up(GELU(down(x)))</c> (keys <c>down</c>, <c>up</c>).
/// Initialised with Normal(0, 1e-3) weights and zero biases so a fresh adapter is close to the identity.
/// </summary>
public sealed class HoulsbyAdapter : nn.Module<Tensor, Tensor>
{
    private readonly Linear down;
    private readonly Linear up;

    /// <summary>Creates an adapter from <paramref name="hiddenSize"/> down to <paramref name="bottleneckSize"/> and back.</summary>
    public HoulsbyAdapter(int hiddenSize, int bottleneckSize) : base(nameof(HoulsbyAdapter))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bottleneckSize);
        down = BertInitializer.Linear(hiddenSize, bottleneckSize, BertInitializer.AdapterStd);
        up = BertInitializer.Linear(bottleneckSize, hiddenSize, BertInitializer.AdapterStd);
        RegisterComponents();
    }

    /// <summary>Returns <c>x + up(GELU(down(x)))</c> for <paramref name="hidden"/> [..., H].</summary>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return hidden.add(up.forward(nn.functional.gelu(down.forward(hidden))), TorchScalars.One).MoveToOuterDisposeScope();
    }
}
