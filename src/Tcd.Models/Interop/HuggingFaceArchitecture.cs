namespace Tcd.Models.Interop;

/// <summary>
/// The Hugging Face BERT class a checkpoint was saved from, which fixes its state-dict layout
/// (the first entry of <c>architectures</c> in <c>config.json</c>, or inferred from the tensor names). This library's
/// MoE exports (<c>TcdMoeBertForMaskedLM</c>, ...) use the layout of the class they extend and map to its member;
/// <see cref="HuggingFaceImport.ArchitectureName"/> keeps the <c>TcdMoe</c> name.
/// </summary>
public enum HuggingFaceArchitecture
{
    /// <summary><c>BertModel</c>: encoder keys without a <c>bert.</c> prefix, usually with a pooler.</summary>
    BertModel,

    /// <summary><c>BertForMaskedLM</c>: <c>bert.*</c> (no pooler) and the masked-LM head <c>cls.predictions.*</c>.</summary>
    BertForMaskedLM,

    /// <summary>
    /// <c>BertForPreTraining</c>: <c>bert.*</c> with a pooler, <c>cls.predictions.*</c> and the next-sentence head
    /// <c>cls.seq_relationship.*</c> (original Google checkpoints such as <c>bert-base-uncased</c>).
    /// </summary>
    BertForPreTraining,

    /// <summary><c>BertForSequenceClassification</c>: <c>bert.*</c> with a pooler and <c>classifier.*</c>.</summary>
    BertForSequenceClassification,
}
