using TorchSharp;
using TorchSharp.Modules;

namespace Tcd.Models.Training;

/// <summary>
/// Builds AdamW with BERT's two parameter groups: weight decay on weight matrices and embeddings, none on biases
/// and LayerNorm parameters. Frozen parameters (requires_grad = false) are left out.
/// </summary>
/// <remarks>
/// The optimizer is TorchSharp's <see cref="AdamW"/> with a step that makes fewer passes over the weights and their
/// moments; state and checkpoints are the stock ones and the updates agree with the stock step up to float rounding.
/// </remarks>
public static class AdamWFactory
{
    /// <summary>Creates the optimizer for the trainable parameters of <paramref name="module"/>.</summary>
    public static AdamW Create(torch.nn.Module module, double learningRate, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        var trainable = module.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        if (trainable.Count == 0)
        {
            throw new InvalidOperationException("The model has no trainable parameters: every parameter is frozen.");
        }

        var decayed = trainable.Where(p => !IsExcludedFromWeightDecay(p.name)).Select(p => p.parameter).ToList();
        var undecayed = trainable.Where(p => IsExcludedFromWeightDecay(p.name)).Select(p => p.parameter).ToList();
        var groups = new List<AdamW.ParamGroup>
        {
            new(decayed, new AdamW.Options { LearningRate = learningRate, weight_decay = weightDecay, beta1 = beta1, beta2 = beta2, eps = epsilon }),
            new(undecayed, new AdamW.Options { LearningRate = learningRate, weight_decay = 0.0, beta1 = beta1, beta2 = beta2, eps = epsilon }),
        };
        return new LeanAdamW(groups.Where(g => g.Parameters.Any()), learningRate, beta1, beta2, epsilon, weightDecay);
    }

    /// <summary>True for biases and LayerNorm parameters (by Hugging Face naming), which BERT does not decay.</summary>
    public static bool IsExcludedFromWeightDecay(string parameterName) =>
        parameterName.EndsWith("bias", StringComparison.Ordinal)
        || parameterName.Contains("LayerNorm", StringComparison.Ordinal);

    /// <summary>
    /// One optimizer step as the trainers take it: sets the learning rate, clips the gradients to a global L2 norm of
    /// <paramref name="maxGradientNorm"/> (as <c>clip_grad_norm_</c>: factor <c>min(1, max / (norm + 1e-6))</c>; 0 turns
    /// clipping off) and applies AdamW. With an optimizer from <see cref="Create"/> on fp32 CPU weights the clipping factor
    /// is applied inside the fused update, so the gradients are read once more for their norm but never rewritten (they
    /// are left unscaled); otherwise they are scaled in place first, as <c>clip_grad_norm_</c> does. When clipping is on and
    /// the norm is not finite (a NaN or infinite gradient behind a finite loss), nothing is updated, neither the weights
    /// nor the moments: clipping would scale such a gradient to NaN or to zero, and either poisons or silently skews the
    /// run. The trainers stop on it with <see cref="TrainingDivergedException"/>.
    /// </summary>
    /// <returns>The gradients' global L2 norm before clipping (not finite when nothing was updated), or NaN when clipping is off.</returns>
    public static double Step(AdamW optimizer, double learningRate, double maxGradientNorm)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfNegative(maxGradientNorm);
        SetLearningRate(optimizer, learningRate);
        var grads = optimizer.parameters().Select(p => p.grad).OfType<torch.Tensor>().ToList();
        var norm = maxGradientNorm > 0 ? GlobalNorm(grads) : double.NaN;
        if (UpdatedNothing(norm, maxGradientNorm))
        {
            return norm;
        }

        var scale = maxGradientNorm > 0 ? Math.Min(1, maxGradientNorm / (norm + 1e-6)) : 1;
        if (optimizer is LeanAdamW lean)
        {
            lean.Step(scale);
            return norm;
        }

        if (scale != 1)
        {
            using var factor = scale.ToScalar();
            grads.ForEach(grad => grad.mul_(factor));
        }

        optimizer.step();
        return norm;
    }

    /// <summary>
    /// Whether <see cref="Step"/>, given <paramref name="maxGradientNorm"/>, updated nothing: clipping is on and
    /// <paramref name="gradientNorm"/>, the norm it returned, is not finite. The trainers stop on it with a
    /// <see cref="TrainingDivergedException"/> naming <see cref="TrainingDivergedException.GradientNorm"/>.
    /// </summary>
    internal static bool UpdatedNothing(double gradientNorm, double maxGradientNorm) => maxGradientNorm > 0 && !double.IsFinite(gradientNorm);

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(OptimizerHelper optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
    }

    private static double GlobalNorm(IReadOnlyList<torch.Tensor> grads)
    {
        if (grads.Count == 0)
        {
            return 0;
        }

        // Tensor.norm, not linalg.vector_norm: the same value, but TorchSharp 0.107 hands vector_norm's order to libtorch
        // as an unheld scalar (see TorchScalars).
        using var scope = torch.NewDisposeScope();
        var norms = torch.stack(grads.Select(grad => grad.to(grads[0].device).norm()).ToArray());
        return norms.norm().to(torch.ScalarType.Float64).item<double>();
    }
}
