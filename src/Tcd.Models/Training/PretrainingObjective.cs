using Tcd.Models.Modeling;

namespace Tcd.Models.Training;

/// <summary>
/// The pre-training loss of the TCD paper (section 3) as weights of its terms:
/// <c>L = L_MLM + λ_B·L_B + λ_T·L_T + λ_I·L_I + λ_A·L_A</c>. The teacher, the MoE baseline and the TCD student are
/// the same training loop with different objectives.
/// </summary>
public sealed record PretrainingObjective
{
    /// <summary>
    /// λ_B, the weight of the load-balance loss of MoE models. Paper: 1000. Ignored for vanilla models. Default 0, as in
    /// <see cref="MaskedLanguageModel"/>; <see cref="MixtureOfExperts"/> and <see cref="TransferCapabilityDistillation"/> default to the paper's.
    /// </summary>
    public double LoadBalanceWeight { get; init; }

    /// <summary>λ_T, the weight of the trunk relation alignment (LayerNorm outputs). Paper: 1. Default 0, as in <see cref="MaskedLanguageModel"/>.</summary>
    public double TrunkWeight { get; init; }

    /// <summary>
    /// λ_I, the weight of the inner relation alignment (sublayer outputs before the residual add). Paper: 1. Default 0, as
    /// in <see cref="MaskedLanguageModel"/>.
    /// </summary>
    public double InnerWeight { get; init; }

    /// <summary>
    /// λ_A, the weight of the attention (query–key) relation alignment. Paper: 1 for the large model, 0 for the small one
    /// (<see cref="PaperAttentionWeight"/>). Default 0, as in <see cref="MaskedLanguageModel"/>.
    /// </summary>
    public double AttentionWeight { get; init; }

    /// <summary>True when any relation term needs a teacher.</summary>
    public bool NeedsTeacher => TrunkWeight > 0 || InnerWeight > 0 || AttentionWeight > 0;

    /// <summary>Vanilla BERT teacher: <c>L = L_MLM</c>.</summary>
    public static PretrainingObjective MaskedLanguageModel { get; } = new();

    /// <summary>MoE baseline: <c>L = L_MLM + λ_B·L_B</c> (paper: λ_B = 1000).</summary>
    public static PretrainingObjective MixtureOfExperts(double loadBalanceWeight = 1000) =>
        new() { LoadBalanceWeight = loadBalanceWeight };

    /// <summary>
    /// TCD student: <c>L = L_MLM + λ_B·L_B + λ_T·L_T + λ_I·L_I + λ_A·L_A</c>. Paper: λ_B = 1000, λ_T = λ_I = 1,
    /// λ_A = 1 for the large model and 0 for the small one (the default here).
    /// </summary>
    public static PretrainingObjective TransferCapabilityDistillation(
        double loadBalanceWeight = 1000, double trunkWeight = 1, double innerWeight = 1, double attentionWeight = 0) =>
        new() { LoadBalanceWeight = loadBalanceWeight, TrunkWeight = trunkWeight, InnerWeight = innerWeight, AttentionWeight = attentionWeight };

    /// <summary>
    /// The paper's λ_A for a student of <paramref name="student"/>'s shape: 1 for the large model (as wide as BERT-base,
    /// <see cref="BertConfig.PaperLarge"/>), 0 for the small one — and 0 whenever the <paramref name="teacher"/> has
    /// another head count, since the attention relations compare heads one to one.
    /// </summary>
    public static double PaperAttentionWeight(BertConfig student, BertConfig? teacher = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        var headsAlign = teacher is null || teacher.NumHeads == student.NumHeads;
        return headsAlign && student.HiddenSize >= BertConfig.PaperLarge.HiddenSize ? 1 : 0;
    }

    /// <summary>Throws when a weight is negative or not finite.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(LoadBalanceWeight), LoadBalanceWeight), (nameof(TrunkWeight), TrunkWeight), (nameof(InnerWeight), InnerWeight), (nameof(AttentionWeight), AttentionWeight) })
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite, non-negative number.");
            }
        }
    }
}
