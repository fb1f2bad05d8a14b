using Tcd.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Training;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> (same state and checkpoint format, same update up to float rounding) with a step that
/// does less memory traffic. fp32 CPU parameters are updated by <see cref="FusedCpuAdamW"/> in one pass; the others
/// (CUDA, other dtypes) by tensor operations with no weight-decay pass over groups whose decay is 0 (a multiply by
/// exactly 1), the first moment updated with one <c>lerp</c> (as PyTorch's own AdamW does) instead of a multiply and
/// an add, and the bias correction of the second moment folded into the scalars, so the denominator is built in place
/// in one temporary. With 64 experts a MoE model has ≈100 M expert weights, so every full-size pass or temporary costs
/// tens of milliseconds per step.
/// </summary>
/// <remarks>
/// The update is <c>p ← p·(1 − lr·λ) − (lr / bc₁)·m / (√v / √bc₂ + ε)</c>, computed as
/// <c>p − (lr·√bc₂ / bc₁)·m / (√v + ε·√bc₂)</c>. Only the options <see cref="AdamWFactory"/> sets are supported:
/// no AMSGrad, no maximisation.
/// </remarks>
internal sealed class LeanAdamW : AdamW
{
    /// <summary>Factor applied to every gradient in the next step (gradient clipping); 1 outside <see cref="Step"/>.</summary>
    private double gradientScale = 1;

    internal LeanAdamW(IEnumerable<ParamGroup> groups, double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
        : base(groups, learningRate, beta1, beta2, epsilon, weightDecay)
    {
    }

    /// <summary>
    /// Takes a step as if every gradient were multiplied by <paramref name="scale"/> first. The fused CPU path applies
    /// the factor inside its pass and leaves the gradients as they are; the tensor path scales them in place.
    /// </summary>
    internal void Step(double scale)
    {
        gradientScale = scale;
        try
        {
            step();
        }
        finally
        {
            gradientScale = 1;
        }
    }

    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        var beta1 = options.beta1!.Value;
        var beta2 = options.beta2!.Value;
        var learningRate = options.LearningRate!.Value;
        var decay = 1 - learningRate * options.weight_decay!.Value;
        var epsilon = options.eps!.Value;
        foreach (var parameter in group.Parameters)
        {
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            var state = (State)_state[parameter.Handle];
            state.step += 1;
            var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            var biasCorrection2Root = Math.Sqrt(1 - Math.Pow(beta2, state.step));
            var stepSize = learningRate * biasCorrection2Root / biasCorrection1;
            var scaledEpsilon = epsilon * biasCorrection2Root;
            var scalars = new FusedCpuAdamW.Scalars(
                (float)gradientScale, (float)decay, (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)scaledEpsilon, (float)stepSize);
            if (FusedCpuAdamW.TryUpdate(parameter, grad, state.exp_avg, state.exp_avg_sq, scalars, torch.get_num_threads()))
            {
                continue;
            }

            if (gradientScale != 1)
            {
                using var scale = gradientScale.ToScalar();
                grad.mul_(scale);
            }

            if (decay != 1)
            {
                using var decayFactor = decay.ToScalar();
                parameter.mul_(decayFactor);
            }

            // Filled on the device, not made with torch.tensor: on CUDA a tensor made from a host value is copied over
            // and the host waits for the stream to drain, once per parameter per step.
            using (var oneMinusBeta1 = (1 - beta1).ToScalar())
            using (var weight = torch.full([], oneMinusBeta1, grad.dtype, grad.device))
            {
                state.exp_avg.lerp_(grad, weight);
            }

            using var beta2Scalar = beta2.ToScalar();
            using var oneMinusBeta2 = (1 - beta2).ToScalar();
            using var epsilonScalar = scaledEpsilon.ToScalar();
            using var negativeStep = (-stepSize).ToScalar();
            state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad, value: oneMinusBeta2);
            using var denominator = state.exp_avg_sq.sqrt().add_(epsilonScalar, TorchScalars.One);
            parameter.addcdiv_(state.exp_avg, denominator, value: negativeStep);
        }
    }, closure);
}
