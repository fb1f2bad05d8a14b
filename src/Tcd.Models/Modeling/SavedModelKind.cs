namespace Tcd.Models.Modeling;

/// <summary>What a saved model folder holds, told by the tensor names of its task head (<see cref="BertModelStore.KindOf"/>).</summary>
public enum SavedModelKind
{
    /// <summary>A pre-trained <see cref="BertForMaskedLm"/>: the encoder under <c>bert.</c> and the <c>cls.predictions.</c> head.</summary>
    MaskedLanguageModel,

    /// <summary>A fine-tuned <see cref="BertForSequenceClassification"/>: the encoder and <c>classifier.weight</c>.</summary>
    SequenceClassifier,

    /// <summary>A bare <see cref="BertModel"/>: encoder tensors without a prefix or head.</summary>
    Encoder,
}
