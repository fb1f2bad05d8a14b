using Tcd.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Benchmarks;

/// <summary>
/// Forward + backward time of one <see cref="SwitchMoeLayer"/> against one dense FFN of the expert's shape — the
/// compute a token actually gets under top-1 routing — on the same tokens and the same upstream gradient.
/// The two are timed alternately, so a burst of load from other processes hits both.
/// </summary>
internal sealed class MoeLayerTiming
{
    private readonly BenchmarkOptions options;

    public MoeLayerTiming(BenchmarkOptions options) => this.options = options;

    /// <summary>Per-repeat timings of the MoE layer and of the dense FFN.</summary>
    public (List<Timing> Moe, List<Timing> Dense) Measure(Device device)
    {
        var config = options.Model.WithExperts(options.ExpertCount);
        torch.manual_seed(options.Seed);
        using var moe = new SwitchMoeLayer(config);
        using var dense = nn.Sequential(
            ("intermediate", nn.Linear(config.HiddenSize, config.IntermediateSize)),
            ("gelu", nn.GELU()),
            ("output", nn.Linear(config.IntermediateSize, config.HiddenSize)));
        moe.to(device);
        dense.to(device);

        var (batch, length) = options.LayerTokens;
        using var hidden = randn([batch, length, config.HiddenSize], device: device);
        using var upstream = randn([batch, length, config.HiddenSize], device: device);
        using var tokenMask = ones([batch, length], dtype: ScalarType.Bool, device: device);

        Timing TimeMoe() => TimeOnce(hidden, upstream, () => moe.zero_grad(), input => moe.forward(input, tokenMask).Output);
        Timing TimeDense() => TimeOnce(hidden, upstream, () => dense.zero_grad(), dense.forward);

        // Untimed first calls: allocator warm-up and libtorch's lazy kernel selection.
        TimeMoe();
        TimeDense();
        var moeTimings = new List<Timing>();
        var denseTimings = new List<Timing>();
        for (var repeat = 0; repeat < options.Repeats; repeat++)
        {
            moeTimings.Add(TimeMoe());
            denseTimings.Add(TimeDense());
        }

        return (moeTimings, denseTimings);
    }

    private static Timing TimeOnce(Tensor hidden, Tensor upstream, Action zeroGrad, Func<Tensor, Tensor> layer)
    {
        using var scope = NewDisposeScope();
        zeroGrad();
        var input = hidden.detach().requires_grad_(true);
        var start = Timing.Start();
        var output = layer(input);
        output.backward([upstream]);
        // Reading a value waits for the device, so asynchronous (CUDA) work is inside the time too.
        _ = input.grad!.sum().item<float>();
        return start.Elapsed();
    }
}
