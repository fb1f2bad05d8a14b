using Tcd.Models.Modeling;
using Tcd.Models.Training;

namespace Tcd.MLNet.Estimators;

/// <summary>
/// Options of <c>mlContext.Tcd().PretrainMoe(options)</c>: the MoE-BERT baseline, every FFN replaced by a Switch
/// (top-1) Mixture-of-Experts layer, trained with <c>L = L_MLM + λ_B·L_B</c>.
/// </summary>
public class MoePretrainingOptions : BertPretrainingOptions
{
    /// <summary>Experts per MoE layer. Default 4, small enough for a first run on a CPU (paper: 64).</summary>
    public int ExpertCount { get; set; } = 4;

    /// <summary>λ_B, the weight of the load-balance loss. Default 1000 (paper: 1000).</summary>
    public double LoadBalanceWeight { get; set; } = 1000;

    internal override PretrainingObjective ObjectiveFor(BertConfig model, BertConfig? teacher) => PretrainingObjective.MixtureOfExperts(LoadBalanceWeight);

    internal override BertConfig ResolveModel(BertConfig? teacher)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ExpertCount);
        return base.ResolveModel(teacher).WithExperts(ExpertCount);
    }
}
