using Tcd.Models.Modeling;
using Tcd.Models.Training;

namespace Tcd.MLNet.Estimators;

/// <summary>
/// Options of <c>mlContext.Tcd().Distill(teacher, options)</c>: transfer capability distillation, a MoE student
/// trained with <c>L = L_MLM + λ_B·L_B + λ_T·L_T + λ_I·L_I + λ_A·L_A</c> against a frozen vanilla teacher.
/// </summary>
public sealed class DistillationOptions : MoePretrainingOptions
{
    /// <summary>λ_T, the weight of the trunk relation alignment (LayerNorm outputs). Default 1 (paper: 1).</summary>
    public double TrunkWeight { get; set; } = 1;

    /// <summary>λ_I, the weight of the inner relation alignment (sublayer outputs before the residual add). Default 1 (paper: 1).</summary>
    public double InnerWeight { get; set; } = 1;

    /// <summary>
    /// λ_A, the weight of the attention (query–key) relation alignment; above 0 it needs the same head count as the
    /// teacher. Default null: the paper's choice for the student's shape, 1 for a student as wide as BERT-base
    /// (<see cref="BertConfig.PaperLarge"/>) and 0 for narrower ones or a teacher of another head count
    /// (<see cref="PretrainingObjective.PaperAttentionWeight"/>), as <c>tcd distill</c> does.
    /// </summary>
    public double? AttentionWeight { get; set; }

    internal override PretrainingObjective ObjectiveFor(BertConfig model, BertConfig? teacher) =>
        PretrainingObjective.TransferCapabilityDistillation(LoadBalanceWeight, TrunkWeight, InnerWeight, AttentionWeight ?? PretrainingObjective.PaperAttentionWeight(model, teacher));

    /// <summary>Distillation defaults to the teacher's architecture (without adapters), so the relation terms align layer by layer.</summary>
    internal override BertConfig DefaultModel(BertConfig? teacher) => teacher is null ? base.DefaultModel(teacher) : teacher with { AdapterSize = 0 };
}
