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

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(OptimizerHelper optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
    }
}
