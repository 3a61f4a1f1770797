// Class names for well-known datasets whose files carry only label numbers.

/** Fashion-MNIST (Zalando, MIT licence), label order 0–9. "T-shirt/top" has no slash so it can name a folder. */
export const fashionMnistClasses = [
  'T-shirt_top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const mnistDigitClasses = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
