namespace Tcd.MLNet.Transformers;

/// <summary>How <see cref="PretrainedBertTransformer"/> turns the token states of a text into one feature vector.</summary>
public enum FeaturePooling
{
    /// <summary>
    /// The last hidden state of the <c>[CLS]</c> token. A masked-LM model has no trained pooler (as in Hugging Face
    /// <c>BertForMaskedLM</c>), so this is the raw hidden state, not BERT's tanh-pooled output.
    /// </summary>
    Cls,

    /// <summary>The mean of the last hidden states of all real tokens (special tokens included, padding excluded).</summary>
    Mean,
}
