"""Peace talks as bargaining: KTAB's spatial model of politics, Bueno de Mesquita's model, the naive compromise."""
